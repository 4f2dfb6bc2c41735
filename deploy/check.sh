#!/usr/bin/env bash
# Offline checks of the deploy files, for a machine without a Docker engine (and CI):
#   deploy/check.sh            checks the files; also deploy/.env if it exists
#   deploy/check.sh FILE       also checks FILE as the production .env
# Always: YAML and structure of compose.yaml and compose.managed-mongodb.yaml, ${VAR}s against
# .env.example, .env.example names against bot/settings.py and docs/settings.md, the Caddyfile's routes
# against the bot's endpoints (docs/production.md and the code), the Dockerfile, requirements.lock
# against pyproject.toml, MONGODB_URI (any valid URI: the bundled replica set's or a managed one;
# parsed by pymongo when the Python running this has it, without DNS lookups), the systemd unit, the
# shell scripts (bash -n) and rehearsals of keys.sh and backup.sh with a stand-in mongodump. With the
# tools at hand (on PATH or in $DEPLOY_TOOLS/bin): `docker compose config` (or docker-compose), caddy,
# hadolint, shellcheck, node, systemd-analyze.
# Prints one line per check; exits 1 if any check failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
env_file=${1:-}
if [ -z "$env_file" ] && [ -f "$here/.env" ]; then
    env_file="$here/.env"
fi
if [ -n "${DEPLOY_TOOLS:-}" ]; then
    PATH="$DEPLOY_TOOLS/bin:$PATH"
fi

failures=0
ok() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
skip() { printf 'skip  %s\n' "$*"; }
have() { command -v "$1" > /dev/null 2>&1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- Python checks (PyYAML is a dependency of the bot: the project's .venv has it) -----------------
py=""
for candidate in "${PYTHON:-}" "$root/.venv/bin/python" python3; do
    if [ -n "$candidate" ] && "$candidate" -c 'import yaml' > /dev/null 2>&1; then
        py=$candidate
        break
    fi
done
echo "== deploy files (python: ${py:-none})"
if [ -z "$py" ]; then
    fail "no Python with PyYAML (run ./dev.sh test once, or set PYTHON=...)"
else
    "$py" - "$here" "$root" "$env_file" > "$scratch/python.out" 2>&1 <<'PY'
import base64
import binascii
import fnmatch
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

here, root, env_file = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]


def ok(message: str) -> None:
    print(f"ok    {message}")


def fail(message: str) -> None:
    print(f"FAIL  {message}")


def check(condition: bool, message: str, problem: str = "") -> bool:
    if condition:
        ok(message)
    else:
        fail(f"{message}{': ' + problem if problem else ''}")
    return condition


# ---------------------------------------------------------------- setting names
settings_py = (root / "bot/settings.py").read_text(encoding="utf-8")
grepped = set(re.findall(r'AliasChoices\(\s*"([A-Z][A-Z0-9_]*)"', settings_py))
grepped |= set(re.findall(r'validation_alias="([A-Z][A-Z0-9_]*)"', settings_py))
grepped |= set(re.findall(r'CONFIG_FILE_ENV = "([A-Z][A-Z0-9_]*)"', settings_py))
check(len(grepped) > 50, f"bot/settings.py: {len(grepped)} setting names found by their aliases")
settings_python = root / ".venv/bin/python"
probe = None
if settings_python.exists():
    probe = subprocess.run(
        [str(settings_python), "-c",
         "import json; from bot.settings import _setting_names, CONFIG_FILE_ENV; "
         "print(json.dumps(sorted(_setting_names() | {CONFIG_FILE_ENV})))"],
        cwd=root, capture_output=True, text=True,
    )
if probe is not None and probe.returncode == 0:
    imported = set(json.loads(probe.stdout))
    check(imported == grepped, "the grepped names equal the names the Settings class declares",
          f"only grepped {sorted(grepped - imported)}, only declared {sorted(imported - grepped)}")
else:
    print("skip  cross-check with the Settings class (the project's .venv cannot import bot.settings)")
settings_page = (root / "docs/settings.md").read_text(encoding="utf-8")
production_page = (root / "docs/production.md").read_text(encoding="utf-8")
# Docker Compose's own variables, which it also reads from .env (not settings of the bot).
COMPOSE_NAMES = {"COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME"}


# ---------------------------------------------------------------- env files
def parse_env(path: Path, *, commented: bool) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(active NAME=value, commented-out #NAME=value, unparseable lines), as Compose reads .env."""
    active: dict[str, str] = {}
    inactive: dict[str, str] = {}
    bad: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text:
            continue
        target = active
        if text.startswith("#"):
            match = re.match(r"#\s?([A-Z][A-Z0-9_]*)=(.*)$", text)
            if not (commented and match):
                continue
            target, text = inactive, text.lstrip("#").lstrip()
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)$", text)
        if match is None:
            bad.append(f"line {number}")
            continue
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        target[name] = value
    return active, inactive, bad


example_path = here / ".env.example"
example, example_commented, bad = parse_env(example_path, commented=True)
check(not bad, ".env.example: every line is a comment or NAME=value", ", ".join(bad))
names = (set(example) | set(example_commented)) - COMPOSE_NAMES
unknown = sorted(names - grepped)
check(not unknown, f".env.example: all {len(names)} names ({len(example)} set, "
      f"{len(example_commented)} commented out) are settings in bot/settings.py", ", ".join(unknown))
undocumented = sorted(n for n in names if f"`{n}`" not in settings_page)
check(not undocumented, ".env.example: every name is documented in docs/settings.md", ", ".join(undocumented))
must_set = ["PUBLIC_URL", "MONGODB_URI", "MONGODB_DATABASE", "CONTACT_KEYS", "WEBCHAT_SECRET", "LOG_FORMAT"]
missing = [n for n in must_set if n not in example]
check(not missing, ".env.example sets " + ", ".join(must_set), "missing " + ", ".join(missing))
check(example.get("LOG_FORMAT") == "json", ".env.example: LOG_FORMAT=json")
uri = example.get("MONGODB_URI", "")
check(all(f"mongo{i}:27017" in uri for i in (1, 2, 3)) and "replicaSet=rs0" in uri
      and "authSource=admin" in uri,
      ".env.example: MONGODB_URI names mongo1..3, replicaSet=rs0, authSource=admin")


def settings_accept(values: dict[str, str], what: str) -> None:
    """Let the bot's own settings loader read the values (the project's .venv)."""
    if not settings_python.exists():
        print(f"skip  {what}: the bot's settings loader accepts them (no .venv)")
        return
    env = {"PATH": os.environ.get("PATH", ""), **values}
    probe = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from bot.settings import load_settings\n"
        "try:\n"
        "    load_settings()\n"
        "    import os\n"
        "    if os.environ.get('CONTACT_KEYS'):\n"
        "        from storage.sealing import Sealer\n"
        "        Sealer.parse(os.environ['CONTACT_KEYS'])\n"
        "except Exception as error:\n"
        "    cause = error.__cause__ or error\n"
        "    sys.exit(f'{error}; {type(cause).__name__}: {cause}'.replace(chr(10), ' '))\n"
    )
    result = subprocess.run(
        [str(settings_python), "-c", probe, str(root)],
        cwd=here, env=env, capture_output=True, text=True,  # cwd: no feedback-bot.toml is read
    )
    check(result.returncode == 0, f"{what}: the bot's settings loader (and CONTACT_KEYS parser) accepts them",
          result.stderr.strip()[-400:])


filled = {name: value or "placeholder-" + "x" * 40 for name, value in {**example_commented, **example}.items()}
filled["CONTACT_KEYS"] = "k1:" + base64.b64encode(bytes(32)).decode()  # the format .env.example describes
settings_accept(filled, ".env.example values (commented-out ones included, empty ones filled in)")

# ---------------------------------------------------------------- compose.yaml
compose_text = (here / "compose.yaml").read_text(encoding="utf-8")
try:
    compose = yaml.safe_load(compose_text)
    ok("compose.yaml parses as YAML")
except yaml.YAMLError as error:
    fail(f"compose.yaml parses as YAML: {error}")
    compose = {}
services = compose.get("services") or {}
expected = {"mongo-keys", "mongo1", "mongo2", "mongo3", "mongo-init", "bot1", "bot2", "caddy", "backup"}
check(expected <= set(services), "compose.yaml services: " + ", ".join(sorted(expected)),
      "missing " + ", ".join(sorted(expected - set(services))))

def strings(node: object) -> list[str]:
    """Every string in the parsed file (keys and values): what Compose interpolates; not comments."""
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in strings(key) + strings(value)]
    if isinstance(node, list):
        return [text for item in node for text in strings(item)]
    return [node] if isinstance(node, str) else []


interpolated = "\n".join(strings(compose))
used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", interpolated))
check(not (used - set(example)), f"compose.yaml: every ${{VAR}} it uses ({', '.join(sorted(used))}) "
      "is set in .env.example", "not set: " + ", ".join(sorted(used - set(example))))
required = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):\?", interpolated))
check({"MONGODB_URI", "CONTACT_KEYS", "WEBCHAT_SECRET", "PUBLIC_URL"} <= required,
      "compose.yaml refuses to start without MONGODB_URI, CONTACT_KEYS, WEBCHAT_SECRET, PUBLIC_URL (${VAR:?})")

dockerfile_text = (here / "Dockerfile").read_text(encoding="utf-8")
volumes = set(compose.get("volumes") or {})
bots = sorted(n for n, s in services.items() if (s.get("build") or {}).get("dockerfile") == "deploy/Dockerfile")
check(set(bots) >= {"bot1", "bot2"}, f"compose.yaml: workers built from deploy/Dockerfile: {', '.join(bots)}")
for name in bots:
    service = services[name]
    check(service.get("env_file") in (".env", [".env"]), f"{name}: secrets from env_file .env")
    check((service.get("environment") or {}).get("FEEDBACK_BOT_HOST") == "0.0.0.0", f"{name}: FEEDBACK_BOT_HOST=0.0.0.0")
    check("ports" not in service, f"{name}: no port published (reached through Caddy only)")
    check((service.get("depends_on") or {}).get("mongo-init", {}).get("condition")
          == "service_completed_successfully", f"{name}: starts after mongo-init completed")
    check((root / service["build"]["dockerfile"]).is_file() and service["build"].get("context") == "..",
          f"{name}: build context is the project root")
for name in ("mongo1", "mongo2", "mongo3"):
    service = services.get(name) or {}
    command = " ".join(map(str, service.get("command") or []))
    check(str(service.get("image", "")).startswith("mongo:7"), f"{name}: image mongo:7")
    check("--replSet rs0" in command and "--keyFile" in command, f"{name}: mongod --replSet rs0 --keyFile")
    check(bool(service.get("healthcheck")), f"{name}: has a healthcheck")
    data = [v.split(":")[0] for v in service.get("volumes") or [] if v.endswith(":/data/db")]
    check(len(data) == 1 and data[0] in volumes, f"{name}: its own named volume for /data/db")
init = services.get("mongo-init") or {}
check(all((init.get("depends_on") or {}).get(f"mongo{i}", {}).get("condition") == "service_healthy"
          for i in (1, 2, 3)), "mongo-init: waits for mongo1..3 to be healthy")
init_js = (here / "mongo/init-replica-set.js").read_text(encoding="utf-8")
check("rs.initiate(" in init_js and "NotYetInitialized" in init_js, "mongo-init: rs.initiate only when not initiated yet")
backup = services.get("backup") or {}
backup_sh = (here / "mongo/backup.sh").read_text(encoding="utf-8")
check("--oplog" in backup_sh and "RETENTION_DAYS" in backup_sh and bool(backup.get("healthcheck")),
      "backup: mongodump --oplog, retention, healthcheck")
check(set(services.get("caddy", {}).get("ports") or []) >= {"80:80", "443:443"},
      "caddy: publishes 80 and 443")
published = sorted(n for n, s in services.items() if s.get("ports") and n != "caddy")
check(not published, "only caddy publishes ports", ", ".join(published))
for name, service in services.items():
    for target, condition in (service.get("depends_on") or {}).items():
        if condition.get("condition") != "service_healthy":
            continue
        dependency = services.get(target) or {}
        own = bool(dependency.get("healthcheck"))
        image = "HEALTHCHECK" in dockerfile_text and bool(dependency.get("build"))
        check(own or image, f"{name} waits for {target} to be healthy, and {target} has a healthcheck")
named = set()
for service in services.values():
    for volume in service.get("volumes") or []:
        source = str(volume).split(":")[0]
        if not source.startswith((".", "/")):
            named.add(source)
check(named <= volumes, "every named volume is declared", ", ".join(sorted(named - volumes)))
binds = sorted({str(v).split(":")[0] for s in services.values() for v in s.get("volumes") or []
                if str(v).startswith(".")})
check(all((here / b).exists() for b in binds), f"bind-mounted files exist: {', '.join(binds)}",
      ", ".join(b for b in binds if not (here / b).exists()))

# ---------------------------------------------------------------- compose.managed-mongodb.yaml
class Reset:
    """Compose's `!reset` merge tag: removes the attribute from what the files before defined."""


class ComposeLoader(yaml.SafeLoader):
    pass


ComposeLoader.add_constructor("!reset", lambda loader, node: Reset())


def _untagged(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """Compose's `!override`: the value replaces what the files before defined; read it as it is."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


ComposeLoader.add_constructor("!override", _untagged)
managed_path = here / "compose.managed-mongodb.yaml"
try:
    managed = yaml.load(managed_path.read_text(encoding="utf-8"), Loader=ComposeLoader) or {}
    ok("compose.managed-mongodb.yaml parses as YAML (with Compose's !reset tag)")
except (OSError, yaml.YAMLError) as error:
    fail(f"compose.managed-mongodb.yaml parses as YAML: {error}")
    managed = {}
managed_services = managed.get("services") or {}
bundled = sorted(set(services) - set(bots) - {"caddy"})
off = sorted(n for n, s in managed_services.items() if "bundled-mongodb" in (s or {}).get("profiles", []))
check(bool(bundled) and off == bundled,
      f"compose.managed-mongodb.yaml: the bundled MongoDB services ({', '.join(bundled)}) only start with "
      "--profile bundled-mongodb", f"switched off: {', '.join(off)}")
reset = sorted(n for n in bots if isinstance((managed_services.get(n) or {}).get("depends_on"), Reset))
check(reset == bots, "compose.managed-mongodb.yaml: every worker's depends_on is reset (no wait for mongo-init)",
      f"reset for {', '.join(reset) or 'none'} of {', '.join(bots)}")
unknown_services = sorted(set(managed_services) - set(services))
check(not unknown_services, "compose.managed-mongodb.yaml: only changes services of compose.yaml",
      ", ".join(unknown_services))


# ---------------------------------------------------------------- MONGODB_URI
def uri_check(uri: str) -> tuple[dict[str, object] | None, str]:
    """(parsed URI, "") or (None, the problem), without connecting and without DNS lookups."""
    validate = None
    try:
        from pymongo.uri_parser_shared import _validate_uri as validate  # pymongo >= 4.11
    except ImportError:
        pass
    if validate is not None:
        try:
            return validate(uri), ""
        except Exception as error:  # InvalidURI, ConfigurationError, ValueError ...
            return None, f"{type(error).__name__}: {error}"
    # Without pymongo: the shape only.
    found = re.fullmatch(r"mongodb(\+srv)?://(?:([^:@/]+)(?::([^@/]*))?@)?([^/?@]+)(?:/([^?]*))?(?:\?(.*))?", uri)
    if found is None:
        return None, "not mongodb://[user:password@]host[:port][,host...][/database][?options] or mongodb+srv://..."
    nodes = []
    for host in found[4].split(","):
        name, _, port = host.partition(":")
        nodes.append((name, int(port) if port.isdigit() else 27017))
    options = dict(part.partition("=")[::2] for part in (found[6] or "").split("&") if part)
    return {"nodelist": nodes, "username": found[2], "password": found[3], "options": options}, ""


BUNDLED_NODES = [(f"mongo{i}", 27017) for i in (1, 2, 3)]


def check_uri(uri: str, where: str, compose_file: str = "") -> None:
    parsed, problem = uri_check(uri)
    if not check(parsed is not None, f"{where}: MONGODB_URI is a valid MongoDB URI", problem):
        return
    nodes = [(str(h).lower(), p) for h, p in parsed["nodelist"]]
    options = {str(k).lower(): v for k, v in dict(parsed.get("options") or {}).items()}
    if any(host.startswith("mongo") and host[5:].isdigit() for host, _ in nodes):
        check(nodes == BUNDLED_NODES and bool(parsed.get("username")) and bool(parsed.get("password"))
              and options.get("replicaset") == "rs0" and options.get("authsource") == "admin",
              f"{where}: MONGODB_URI for the bundled replica set is "
              "mongodb://<user>:<password>@mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0&authSource=admin")
        return
    ok(f"{where}: MONGODB_URI is a MongoDB of your own ({len(nodes)} host(s)"
       f"{', SRV' if uri.startswith('mongodb+srv://') else ''}): no bundled replica set needed")
    if "compose.managed-mongodb.yaml" not in compose_file:
        print("note  start it with: docker compose -f compose.yaml -f compose.managed-mongodb.yaml up -d "
              "(or COMPOSE_FILE=compose.yaml:compose.managed-mongodb.yaml in .env)")
    if not parsed.get("username") and "authmechanism" not in options:
        print("note  MONGODB_URI names no user: right only if your server runs without access control")
    if not uri.startswith("mongodb+srv://") and str(options.get("tls", options.get("ssl", ""))).lower() != "true":
        print("note  MONGODB_URI without tls=true: the traffic to MongoDB is not encrypted")


# ---------------------------------------------------------------- Caddyfile
caddyfile = (here / "Caddyfile").read_text(encoding="utf-8")
caddy_lines = [line.split("#", 1)[0] for line in caddyfile.splitlines()]
matchers: list[str] = []
for line in caddy_lines:
    tokens = line.split()
    if len(tokens) >= 3 and tokens[0].startswith("@") and tokens[1] == "path":
        matchers += tokens[2:]
public = set()
endpoints = production_page.split("## HTTP endpoints", 1)[-1].split("\n## ", 1)[0]
public |= set(re.findall(r"`(?:GET|POST)(?:\\?\|(?:GET|POST))* (/[^`\s]*)`", endpoints))
for source in list((root / "bot").glob("*.py")) + list((root / "handlers").glob("*.py")):
    text = source.read_text(encoding="utf-8")
    public |= set(re.findall(r'add_(?:get|post)\(\s*"(/[^"]*)"', text))
    public |= set(re.findall(r'^[A-Z_]*PATH = "(/[^"]*)"', text, flags=re.M))
private = {"/healthz", "/metrics"}
check(private <= public, "found /healthz and /metrics among the endpoints (docs/production.md + code)")
public -= private


def routed(path: str) -> bool:
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    return any(fnmatch.fnmatchcase(concrete, pattern) for pattern in matchers)


check(len(public) >= 7 and all(routed(p) for p in public),
      f"Caddyfile routes every public path: {', '.join(sorted(public))}",
      "not routed: " + ", ".join(sorted(p for p in public if not routed(p))))
check(not any(routed(p) for p in private), "Caddyfile does not route /metrics or /healthz",
      ", ".join(p for p in private if routed(p)))
check(any(line.split() == ["respond", "404"] for line in caddy_lines), "Caddyfile answers 404 to anything else")
check("{$PUBLIC_URL}" in caddyfile and "PUBLIC_URL" in (services.get("caddy", {}).get("environment") or {}),
      "Caddyfile site address {$PUBLIC_URL}, passed to the caddy service")
check("health_uri /healthz" in caddyfile, "Caddyfile health-checks the workers on /healthz")
upstreams = set(re.findall(r"\b(bot\d+):8080\b", "\n".join(caddy_lines)))
check(upstreams == set(bots), f"Caddyfile upstreams = the worker services ({', '.join(sorted(upstreams))})",
      f"upstreams {sorted(upstreams)}, workers {bots}")

# ---------------------------------------------------------------- systemd unit (without Docker)
unit_text = (here / "feedback-bot.service").read_text(encoding="utf-8")
unit: dict[str, list[str]] = {}
for line in unit_text.splitlines():
    if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
        key, _, value = line.partition("=")
        unit.setdefault(key.strip(), []).append(value.strip())
check(any(v.endswith("/bin/feedback-bot run --no-console") for v in unit.get("ExecStart", [])),
      "feedback-bot.service: ExecStart <venv>/bin/feedback-bot run --no-console")
check(unit.get("User", ["root"])[-1] not in ("root", "0"), "feedback-bot.service: runs as a dedicated user")
check(bool(unit.get("EnvironmentFile")), "feedback-bot.service: settings from an EnvironmentFile")
state = unit.get("StateDirectory", [""])[-1]
check(bool(state) and f"FEEDBACK_BOT_DATA_DIR=/var/lib/{state}" in " ".join(unit.get("Environment", [])),
      "feedback-bot.service: FEEDBACK_BOT_DATA_DIR is its StateDirectory")
check(unit.get("KillSignal") == ["SIGTERM"] and int(unit.get("TimeoutStopSec", ["0"])[-1]) >= 45,
      "feedback-bot.service: SIGTERM and time to drain (TimeoutStopSec >= 45)")

# ---------------------------------------------------------------- Dockerfile
check(re.search(r"^ARG PYTHON_IMAGE=python:3\.13-slim$", dockerfile_text, re.M) is not None,
      "Dockerfile: based on python:3.13-slim")
user = re.findall(r"^USER (\S+)", dockerfile_text, re.M)
check(bool(user) and user[-1].split(":")[0] not in ("0", "root"), "Dockerfile: runs as a non-root user")
check("EXPOSE 8080" in dockerfile_text, "Dockerfile: EXPOSE 8080")
check(re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile_text, re.M) is not None, "Dockerfile: HEALTHCHECK on /healthz")
check('CMD ["feedback-bot", "run", "--no-console"]' in dockerfile_text, "Dockerfile: CMD feedback-bot run --no-console")
check("FEEDBACK_BOT_HOST=0.0.0.0" in dockerfile_text, "Dockerfile: FEEDBACK_BOT_HOST=0.0.0.0")
check("[test]" not in dockerfile_text and "pip install" in dockerfile_text, "Dockerfile: no test extras")
ignore = [line.strip().rstrip("/") for line in (here / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
check(ignore[:1] == ["*"], "Dockerfile.dockerignore: allow-list, starts by ignoring everything (.venv, .git, data/, deploy/.env)")
copied = [source.rstrip("/") for line in re.findall(r"^COPY (?!--)(.+)$", dockerfile_text, re.M)
          for source in line.split()[:-1]]
let_through = [c for c in copied if (root / c).exists() and f"!{c}" in ignore]
check(let_through == copied, f"Dockerfile: every COPY source exists and passes the ignore file ({', '.join(copied)})",
      ", ".join(sorted(set(copied) - set(let_through))))

# ---------------------------------------------------------------- requirements.lock
try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:
    print("skip  requirements.lock against pyproject.toml (no 'packaging' module)")
else:
    pins = {}
    for line in (root / "requirements.lock").read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", line)
        if found:
            pins[canonicalize_name(found[1])] = found[2]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    problems = []
    for text in project["dependencies"]:
        requirement = Requirement(text)
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} not pinned")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} outside {requirement.specifier}")
    check(not problems, f"requirements.lock pins all {len(project['dependencies'])} dependencies of "
          f"pyproject.toml within their ranges ({len(pins)} pins)",
          "; ".join(problems) + " (run ./dev.sh lock)")
    check("requirements.lock" in dockerfile_text and "-c /tmp/requirements.lock" in dockerfile_text,
          "Dockerfile: installs from requirements.lock")

# ---------------------------------------------------------------- the production .env
if not env_file:
    print("skip  production .env (none yet: cp deploy/.env.example deploy/.env)")
    sys.exit(0)
path = Path(env_file)
print(f"-- {path}")
values, _, bad = parse_env(path, commented=False)
check(not bad, ".env: every line is a comment or NAME=value", ", ".join(bad))
check(path.stat().st_mode & 0o077 == 0, ".env: readable by its owner only", f"chmod 600 {path}")
check(not (set(values) - grepped - COMPOSE_NAMES), ".env: every name is a setting (or Compose's COMPOSE_FILE ...)",
      ", ".join(sorted(set(values) - grepped - COMPOSE_NAMES)))
empty = sorted(n for n, v in values.items() if v == "")
check(not empty, ".env: no empty values (an empty value counts as set)",
      ", ".join(empty) + ": fill in, or delete the line")
missing = [n for n in must_set if not values.get(n)]
check(not missing, ".env: " + ", ".join(must_set) + " set", "missing " + ", ".join(missing))
leftover = sorted(n for n, v in values.items() if "CHANGE_ME" in v)
check(not leftover, ".env: no CHANGE_ME left", ", ".join(leftover))
placeholders = sorted(n for n in ("PUBLIC_URL", "PRIVACY_NOTICE_URL", "WEBCHAT_ALLOWED_ORIGINS", "COMPANY_NAME")
                      if re.search(r"example\.com|shop\.example|Example Shop", values.get(n, "")))
check(not placeholders, ".env: no example.com / shop.example / Example Shop left", ", ".join(placeholders))
public_url = values.get("PUBLIC_URL", "")
check(re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?", public_url) is not None,
      ".env: PUBLIC_URL is https://<host> without a path or trailing slash (Caddy's site address)", public_url)
if values.get("MONGODB_URI"):
    check_uri(values["MONGODB_URI"], ".env", values.get("COMPOSE_FILE", ""))
keys = values.get("CONTACT_KEYS", "")


def key_ok(entry: str) -> bool:
    ident, _, material = entry.strip().partition(":")
    try:
        return ident.isalnum() and len(base64.b64decode(material, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


check(bool(keys) and all(key_ok(k) for k in keys.split(",")),
      ".env: CONTACT_KEYS is <id>:<base64 of 32 bytes>[,...]")
check(len(values.get("WEBCHAT_SECRET", "")) >= 32, ".env: WEBCHAT_SECRET has at least 32 characters")
if values.get("TELEGRAM_BOT_TOKEN"):
    check(re.fullmatch(r"[A-Za-z0-9_-]{16,256}", values.get("TELEGRAM_WEBHOOK_SECRET", "")) is not None,
          ".env: TELEGRAM_WEBHOOK_SECRET set: 16 to 256 characters, only A-Z a-z 0-9 _ - (Telegram accepts no others)")
whatsapp = ["WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"]
given = [n for n in whatsapp if values.get(n)]
check(len(given) in (0, 4), ".env: the four WHATSAPP_* secrets all set or none", "only " + ", ".join(given))
check(not values.get("SLACK_APP_TOKEN"), ".env: no SLACK_APP_TOKEN (with a public URL every worker would open Socket Mode)")
settings_accept(values, ".env values")
PY
    cat "$scratch/python.out"
    failures=$((failures + $(grep -c '^FAIL' "$scratch/python.out")))
    if ! grep -qE '^(ok|FAIL|skip)' "$scratch/python.out" || grep -q '^Traceback' "$scratch/python.out"; then
        fail "the Python checks did not run to the end"
    fi
fi

# --- shell scripts ------------------------------------------------------------------------------
echo "== scripts"
scripts=("$here/check.sh" "$root/dev.sh" "$here"/mongo/*.sh)
for script in "${scripts[@]}"; do
    if bash -n "$script" 2> "$scratch/bash-n"; then
        ok "bash -n ${script#"$root"/}"
    else
        fail "bash -n ${script#"$root"/}: $(head -n 1 "$scratch/bash-n")"
    fi
done
if have shellcheck; then
    if shellcheck -x "${scripts[@]}" > "$scratch/shellcheck" 2>&1; then
        ok "shellcheck: ${#scripts[@]} scripts"
    else
        fail "shellcheck:"; sed 's/^/      /' "$scratch/shellcheck" | head -n 40
    fi
else
    skip "shellcheck (not installed)"
fi
if have node; then
    if node --check "$here/mongo/init-replica-set.js" 2> "$scratch/node"; then
        ok "node --check mongo/init-replica-set.js (JavaScript syntax; mongosh itself not run)"
    else
        fail "node --check mongo/init-replica-set.js: $(head -n 3 "$scratch/node")"
    fi
else
    skip "JavaScript syntax of mongo/init-replica-set.js (no node)"
fi

# keys.sh: creates both files once, owner-only, a keyfile mongod accepts; a second run keeps them.
mkdir -p "$scratch/keys"
if KEYS_DIR="$scratch/keys" bash "$here/mongo/keys.sh" > /dev/null 2>&1; then
    first=$(cat "$scratch/keys/keyfile" "$scratch/keys/root-password")
    KEYS_DIR="$scratch/keys" bash "$here/mongo/keys.sh" > /dev/null 2>&1
    length=$(tr -d '\n' < "$scratch/keys/keyfile" | wc -c)
    if [ "$(stat -c %a "$scratch/keys/keyfile")" = 400 ] && [ "$(stat -c %a "$scratch/keys/root-password")" = 400 ] &&
        [ "$length" -ge 6 ] && [ "$length" -le 1024 ] && tr -d '\n' < "$scratch/keys/keyfile" | grep -qE '^[A-Za-z0-9+/=]+$' &&
        [ "$first" = "$(cat "$scratch/keys/keyfile" "$scratch/keys/root-password")" ]; then
        ok "mongo/keys.sh rehearsal: keyfile ($length base64 characters) and root password, mode 400, kept on a second run"
    else
        fail "mongo/keys.sh rehearsal: wrong mode, keyfile length ($length) or replaced on a second run"
    fi
else
    fail "mongo/keys.sh rehearsal: the script failed"
fi

# backup.sh: a stand-in mongodump writes the archive and records how it was called.
mkdir -p "$scratch/bin" "$scratch/backups"
cat > "$scratch/bin/mongodump" <<'STUB'
#!/usr/bin/env bash
echo "$*" > "$STUB_LOG"
for arg; do
    case $arg in
        --config=*) cp "${arg#--config=}" "$STUB_LOG.config" ;;
        --archive=*) [ -n "${STUB_FAIL:-}" ] || echo dump > "${arg#--archive=}" ;;
    esac
done
[ -z "${STUB_FAIL:-}" ]
STUB
chmod +x "$scratch/bin/mongodump"
echo "s3cret-root-password" > "$scratch/root-password"
touch -d '20 days ago' "$scratch/backups/feedback-bot-20000101T000000Z.archive.gz"
touch -d '13 days ago' "$scratch/backups/feedback-bot-20000102T000000Z.archive.gz"
run_backup() {
    PATH="$scratch/bin:$PATH" STUB_LOG="$scratch/stub.log" BACKUP_DIR="$scratch/backups" RETENTION_DAYS=14 \
        MONGO_ROOT_PASSWORD_FILE="$scratch/root-password" bash "$here/mongo/backup.sh" once > "$scratch/backup.out" 2>&1
}
if run_backup; then
    made=$(find "$scratch/backups" -name 'feedback-bot-*.archive.gz' -newer "$scratch/root-password" | wc -l)
    if [ "$made" = 1 ] && [ ! -e "$scratch/backups/feedback-bot-20000101T000000Z.archive.gz" ] &&
        [ -e "$scratch/backups/feedback-bot-20000102T000000Z.archive.gz" ] &&
        grep -q -- '--oplog' "$scratch/stub.log" && grep -q 'replicaSet=rs0' "$scratch/stub.log.config" &&
        ! grep -q 's3cret' "$scratch/stub.log" && grep -q 's3cret' "$scratch/stub.log.config" &&
        [ -z "$(find "$scratch/backups" -name '*.partial')" ]; then
        ok "mongo/backup.sh rehearsal: archive written with --oplog, 20-day-old dump pruned, 13-day-old kept, password not on the command line"
    else
        fail "mongo/backup.sh rehearsal: unexpected result"; sed 's/^/      /' "$scratch/backup.out"
    fi
else
    fail "mongo/backup.sh rehearsal: exit status $?"; sed 's/^/      /' "$scratch/backup.out"
fi
if STUB_FAIL=1 run_backup; then
    fail "mongo/backup.sh rehearsal: a failing mongodump must make it fail"
elif [ -z "$(find "$scratch/backups" -name '*.partial')" ]; then
    ok "mongo/backup.sh rehearsal: a failing mongodump fails the run and leaves no partial file"
else
    fail "mongo/backup.sh rehearsal: a partial file was left behind"
fi

# --- optional tools -----------------------------------------------------------------------------
echo "== tools"
compose=()
if have docker && docker compose version > /dev/null 2>&1; then
    compose=(docker compose)
elif have docker-compose; then
    compose=(docker-compose)
fi
if [ "${#compose[@]}" -gt 0 ]; then
    # A copy of deploy/ with an .env made from .env.example (empty secrets filled with placeholders).
    mkdir -p "$scratch/compose"
    cp -r "$here" "$scratch/compose/deploy"
    sed -e 's/^\([A-Z_]*\)=$/\1=placeholder-value/' "$here/.env.example" > "$scratch/compose/deploy/.env"
    # Exit status and stderr both count: some wrappers of the binary lose the exit status.
    if (cd "$scratch/compose/deploy" && "${compose[@]}" config -q) > "$scratch/compose.out" 2>&1 &&
        [ ! -s "$scratch/compose.out" ]; then
        ok "${compose[*]} config: compose.yaml is valid with .env.example's names"
    else
        fail "${compose[*]} config:"; sed 's/^/      /' "$scratch/compose.out"
    fi
    sed -i 's/^CONTACT_KEYS=.*/CONTACT_KEYS=/' "$scratch/compose/deploy/.env"
    (cd "$scratch/compose/deploy" && "${compose[@]}" config -q) > "$scratch/compose.out" 2>&1
    if grep -q 'set CONTACT_KEYS in .env' "$scratch/compose.out"; then
        ok "${compose[*]} config: refuses an .env whose CONTACT_KEYS is empty"
    else
        fail "${compose[*]} config: an empty CONTACT_KEYS was accepted"
    fi
else
    skip "docker compose config (neither the compose plugin nor docker-compose is installed)"
fi
if [ "${#compose[@]}" -gt 0 ]; then
    sed -e 's/^\([A-Z_]*\)=$/\1=placeholder-value/' "$here/.env.example" > "$scratch/compose/deploy/.env"
    if (cd "$scratch/compose/deploy" && "${compose[@]}" -f compose.yaml -f compose.managed-mongodb.yaml config --services) \
        > "$scratch/managed.out" 2>&1 && ! grep -qE '^(mongo|backup)' "$scratch/managed.out" && grep -q '^bot1$' "$scratch/managed.out"; then
        ok "${compose[*]} config: with compose.managed-mongodb.yaml only the workers and caddy run"
    else
        fail "${compose[*]} config with compose.managed-mongodb.yaml:"; sed 's/^/      /' "$scratch/managed.out"
    fi
fi
if have systemd-analyze; then
    # A copy whose ExecStart exists on this machine (the venv of the unit is the server's).
    sed -e 's#^ExecStart=[^ ]*#ExecStart=/bin/true#' -e 's#^EnvironmentFile=#EnvironmentFile=-#' \
        "$here/feedback-bot.service" > "$scratch/feedback-bot.service"
    if systemd-analyze verify "$scratch/feedback-bot.service" > "$scratch/systemd.out" 2>&1; then
        ok "systemd-analyze verify: feedback-bot.service"
    else
        fail "systemd-analyze verify feedback-bot.service:"; sed 's/^/      /' "$scratch/systemd.out"
    fi
else
    skip "systemd-analyze verify (not installed)"
fi
if have caddy; then
    if PUBLIC_URL=https://feedback.example.com caddy validate --config "$here/Caddyfile" --adapter caddyfile \
        > "$scratch/caddy.out" 2>&1; then
        ok "caddy validate: Caddyfile is valid (PUBLIC_URL=https://feedback.example.com)"
    else
        fail "caddy validate:"; grep -v '"level":"info"' "$scratch/caddy.out" | sed 's/^/      /' | tail -n 5
    fi
    if caddy fmt "$here/Caddyfile" | diff -q "$here/Caddyfile" - > /dev/null; then
        ok "caddy fmt: Caddyfile is formatted"
    else
        fail "caddy fmt: run caddy fmt --overwrite deploy/Caddyfile"
    fi
else
    skip "caddy validate (caddy not installed)"
fi
if have hadolint; then
    if hadolint "$here/Dockerfile" > "$scratch/hadolint" 2>&1; then
        ok "hadolint: Dockerfile"
    else
        fail "hadolint:"; sed 's/^/      /' "$scratch/hadolint"
    fi
else
    skip "hadolint (not installed)"
fi
echo "note  not run here: docker build, docker compose up (they need a Docker engine)"

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
