// Run by init-replica-set.sh (service mongo-init) in mongosh, connected directly to mongo1.
// Idempotent: initiates rs0 only if it is not initiated, creates the bot's user or updates it.
const replicaSet = 'rs0';
const members = ['mongo1:27017', 'mongo2:27017', 'mongo3:27017'];
const rootPassword = process.env.MONGO_ROOT_PASSWORD;

db.getSiblingDB('admin').auth('root', rootPassword);

function initiated() {
  try {
    rs.status();
    return true;
  } catch (error) {
    if (error.codeName === 'NotYetInitialized' || error.code === 94) {
      return false;
    }
    throw error;
  }
}

if (initiated()) {
  print(`mongo-init: replica set ${replicaSet} already initiated`);
} else {
  // mongo1 gets the higher priority, so it is the primary whenever it is healthy.
  rs.initiate({
    _id: replicaSet,
    members: members.map((host, index) => ({ _id: index, host, priority: index === 0 ? 2 : 1 })),
  });
  print(`mongo-init: replica set ${replicaSet} initiated`);
}

// From here on through the replica set, so that the user is written on whichever member is primary.
const rsUri =
  `mongodb://root:${encodeURIComponent(rootPassword)}@${members.join(',')}/admin` +
  `?replicaSet=${replicaSet}&authSource=admin&serverSelectionTimeoutMS=2000`;
let admin = null;
for (let attempt = 1; admin === null; attempt++) {
  try {
    const candidate = new Mongo(rsUri).getDB('admin');
    if (candidate.hello().isWritablePrimary) {
      admin = candidate;
    }
  } catch (error) {
    if (attempt >= 90) {
      throw error;
    }
  }
  if (admin === null) {
    sleep(1000);
  }
}
print('mongo-init: a primary is elected');

// The bot's own user: read and write on its database only, not root.
const match = /^mongodb:\/\/([^:@/]+):([^@/]+)@/.exec(process.env.MONGODB_URI || '');
if (match === null) {
  throw new Error('MONGODB_URI must name the bot user: mongodb://<user>:<password>@mongo1:27017,...');
}
const user = decodeURIComponent(match[1]);
const pwd = decodeURIComponent(match[2]);
const database = process.env.MONGODB_DATABASE || 'feedback_bot';
const roles = [{ role: 'readWrite', db: database }];
if (admin.getUser(user) === null) {
  admin.createUser({ user, pwd, roles }, { w: 'majority' });
  print(`mongo-init: user ${user} created (readWrite on ${database})`);
} else {
  admin.updateUser(user, { pwd, roles }, { w: 'majority' });
  print(`mongo-init: user ${user} brought up to date (readWrite on ${database})`);
}
