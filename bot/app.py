"""Wiring: every shared resource is opened in `start` and closed in `stop`, in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AsyncExitStack, suppress
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from bot import retention
from bot.admin_jobs import AdminNoticeJobs
from bot.api import add_api_routes
from bot.dispatch import Dispatcher
from bot.improvement_jobs import ImprovementJobs
from bot.metrics import Metrics
from bot.outreach import OutreachJobs
from bot.policy import complaint_policy
from bot.report_jobs import Approval, ReportJobs
from bot.retention import RetentionPolicy
from bot.rollup_jobs import RollupJobs
from bot.scheduler import Handler, JobRunner
from bot.server import WebServer, build_web_app
from bot.service_window import Templates, WindowedChannel
from bot.settings import Settings, SettingsError
from bot.theme_jobs import ThemeJobs
from bot.ticket_jobs import TicketJobs
from conversations.admin.commands import AdminContext
from conversations.detection import warm_up
from conversations.engine import Engine
from conversations.language import parse_fallbacks, served
from conversations.quiet_hours import QuietHours
from conversations.rendering import Branding
from conversations.reports.approval import ReportApprovals
from conversations.reports.quality import QualityRules
from conversations.reports.theme_matching import english_pivot
from conversations.tickets.desk import Escalation
from conversations.translation import Translation
from conversations.turn import AnsweredQuestion, EngineConfig, Reply
from core.events import InboundEvent
from core.jobs import AdminNoticeJob
from core.questionnaire import BUILTIN_DIR, QuestionnaireError, load_directory
from handlers.console import ConsoleChannel
from handlers.pacing import Pacer
from handlers.translation import make_provider
from handlers.translator import TranslationService
from handlers.webchat import CHANNEL as WEBCHAT
from handlers.webchat import PAGE_PATH as WEBCHAT_PAGE
from handlers.webchat import Limits, TokenSigner, WebChat, WebChatChannel
from handlers.webchat_frame import Brand
from handlers.webchat_limits import Caps
from handlers.whatsapp import CHANNEL as WHATSAPP
from handlers.whatsapp import WEBHOOK_PATH as WHATSAPP_WEBHOOK_PATH
from handlers.whatsapp import WhatsAppChannel
from handlers.whatsapp import webhook_handlers as whatsapp_webhook
from locales.catalog import Catalogs, catalogs
from storage.mongo import open_database
from storage.sealing import Sealer, SealingError, local_key
from storage.store import Store
from storage.translations import TranslationCache
from storage.visitors import AbandonedVisitors

if TYPE_CHECKING:
    # Imported where a channel is switched on: python-telegram-bot costs ~24 MiB and slack-bolt with
    # slack-sdk ~19 MiB of the worker's memory, for nothing when the channel is not configured.
    from handlers.slack_agents import AsyncWebClient, SlackAgents
    from handlers.slack_improvements import SlackImprovements
    from handlers.telegram import TelegramChannel

log = logging.getLogger("bot.app")
TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram"
PURGE_INTERVAL = timedelta(hours=6)
RETRY_INTERVAL = timedelta(seconds=10)
# An answer's writes beyond its commit (answers copied to `responses`, jobs, inbox entries marked done)
# are batched over this long, off the reply path: a crash meanwhile replays the event (docs/architecture.md).
# The dispatcher's batch flushes the engine's queue first; the engine's own timer is only a backstop
# (a second, shorter timer would split each batch in two).
BACKGROUND_WRITES_SECONDS: float | None = 0.05
ENGINE_QUEUE_BACKSTOP_SECONDS = 1.0
SLACK_ACK_WAIT_SECONDS = 2.5  # Slack retries or shows an error without an answer in 3 s


async def install_questionnaires(store: Store, settings: Settings) -> int:
    """Load shipped and configured questionnaire files into MongoDB (idempotent)."""
    directories = [BUILTIN_DIR] + ([settings.questionnaires_dir] if settings.questionnaires_dir else [])
    installed = 0
    for directory in directories:
        if not directory.is_dir():
            raise QuestionnaireError(f"{directory}: questionnaire folder not found")
        for questionnaire in load_directory(directory):
            if await store.questionnaires.install(questionnaire, source=str(directory)):
                installed += 1
    if await store.questionnaires.latest(questionnaire_id=settings.default_questionnaire) is None:
        raise QuestionnaireError(
            f"DEFAULT_QUESTIONNAIRE={settings.default_questionnaire}: no such questionnaire"
        )
    return installed


async def served_languages(store: Store, settings: Settings, ui: Catalogs) -> tuple[str, ...]:
    """The languages with a UI catalog and texts in the installed default questionnaire."""
    questionnaire = await store.questionnaires.latest(questionnaire_id=settings.default_questionnaire)
    if questionnaire is None:
        raise QuestionnaireError(
            f"DEFAULT_QUESTIONNAIRE={settings.default_questionnaire}: no such questionnaire"
        )
    return served(ui.languages, questionnaire.languages)


class FeedbackBot:
    def __init__(
        self,
        settings: Settings,
        *,
        console: ConsoleChannel | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.clock = clock  # deadlines, jobs and follow-ups read time here (tests move it)
        self.metrics = Metrics()
        self.console = console
        self._stack = AsyncExitStack()
        self._tasks: list[asyncio.Task[None]] = []
        self.server: WebServer | None = None
        self.webchat: WebChat | None = None
        self.jobs: JobRunner | None = None
        self.slack_agents: SlackAgents | None = None
        self.telegram_username: str | None = None
        self.telegram: TelegramChannel | None = None
        # The terminal chat is the operator's own: it may run admin commands.
        self.admins = frozenset(
            [f"telegram:{user}" for user in settings.admin_telegram_ids]
            + [f"slack:{user}" for user in settings.admin_slack_users]
            + ["console:local"]
        )
        self.report_jobs: ReportJobs | None = None

    async def start(self) -> None:
        settings = self.settings
        try:
            await self._start(settings)
        except BaseException:
            await self.stop()
            raise

    async def _start(self, settings: Settings) -> None:
        uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
        db = await self._stack.enter_async_context(
            open_database(uri=uri, data_dir=settings.data_dir, database=settings.mongodb_database)
        )
        self.store = await Store.open(db, sealer=contact_sealer(settings))
        self.visitors = AbandonedVisitors(db)
        count = await install_questionnaires(self.store, settings)
        log.info("questionnaires ready (%d newly installed)", count)
        self.policy = complaint_policy(settings)
        try:
            self.quiet_hours = QuietHours.parse(settings.quiet_hours)
            ZoneInfo(settings.customer_timezone)
        except (ValueError, ZoneInfoNotFoundError) as error:
            raise SettingsError(f"QUIET_HOURS / CUSTOMER_TIMEZONE: {error}") from None
        ui = catalogs()
        if not ui.has(settings.default_language):
            raise ValueError(f"DEFAULT_LANGUAGE={settings.default_language}: no catalog for it")
        served_codes = await served_languages(self.store, settings, ui)
        fallbacks = parse_fallbacks(settings.fallback_languages)
        unservable = sorted(f"{key}={value}" for key, value in fallbacks.items() if value not in served_codes)
        if unservable:
            raise SettingsError(
                f"FALLBACK_LANGUAGES: {', '.join(unservable)}: the target is not served "
                f"(served: {', '.join(served_codes)})"
            )
        if settings.default_language not in served_codes:
            log.warning(
                "DEFAULT_LANGUAGE=%s: the default questionnaire has no texts in it", settings.default_language
            )
        # fastText and the default language's word list now, off the loop; every other language's data
        # loads the first time a message needs it (once, a few ms), so memory follows the languages
        # customers actually write in (everything would be ~110 MiB, see detection.py).
        await asyncio.to_thread(warm_up, (settings.default_language,))
        # Agents' translations, answers sent to customers, admins' drafts; failures return the original.
        self.translator = TranslationService(
            make_provider(
                settings.translation_provider,
                api_key=settings.translation_api_key.get_secret_value()
                if settings.translation_api_key
                else None,
                base_url=settings.translation_base_url,
                region=settings.translation_region,
            ),
            TranslationCache(db),
            timeout=settings.translation_timeout_seconds,
            rate_per_second=settings.translation_rate_per_second,
        )
        self.engine = Engine(
            store=self.store,
            catalogs=ui,
            translator=self.translator,
            config=EngineConfig(
                branding=Branding(
                    company=settings.company_name,
                    privacy_url=settings.privacy_notice_url,
                    retention_days=settings.data_retention_days,
                    ticket_retention_days=settings.ticket_retention_days,
                ),
                default_language=settings.default_language,
                default_questionnaire=settings.default_questionnaire,
                detection_min_confidence=settings.detection_min_confidence,
                served_languages=served_codes,
                fallback_languages=fallbacks,
                complaints=self.policy,
                agent_language=settings.agent_language,
                clock=self.clock,
                admins=self.admins,
                questionnaire_max_minutes=settings.questionnaire_max_minutes,
                reminder_count=settings.reminder_count,
                reminder_delay=timedelta(hours=settings.reminder_delay_hours),
                report_min_group=settings.report_min_group,
                desk=settings.slack_bot_token is not None and bool(settings.slack_default_channel),
                survey_languages=tuple(settings.survey_languages),
                deep_link=self.deep_link,
                answered_question={"telegram": AnsweredQuestion(settings.telegram_answered_question)},
            ),
            defer_seconds=None if BACKGROUND_WRITES_SECONDS is None else ENGINE_QUEUE_BACKSTOP_SECONDS,
        )
        self.dispatcher = Dispatcher(
            engine=self.engine,
            inbox=self.store.inbox,
            metrics=self.metrics,
            clock=self.clock,
            batch_seconds=BACKGROUND_WRITES_SECONDS,
        )

        async def healthy() -> bool:
            await db.command("ping")
            return True

        async def gauges() -> dict[str, float]:
            now = self.clock()
            return {
                "jobs_due": await self.store.jobs.backlog(now=now),
                "inbox_pending": await self.store.inbox.count_pending(),
                "tickets_with_missed_deadline": await self.store.tickets.count_breached(),
                "translation_failures": self.translator.failures,
            }

        web_app = build_web_app(
            metrics=self.metrics,
            healthy=healthy,
            gauges=gauges,
            body_timeout=settings.http_body_timeout_seconds,
            metrics_token=settings.metrics_token.get_secret_value() if settings.metrics_token else None,
        )
        handlers = self._job_handlers(settings, web_app)
        handlers.update(
            OutreachJobs(
                store=self.store,
                channel=self.dispatcher.channel,
                quiet_hours=self.quiet_hours,
                default_timezone=settings.customer_timezone,
                submit=self.dispatcher.submit,
                clock=self.clock,
            ).handlers()
        )
        self.rollups = RollupJobs(
            store=self.store,
            rules=quality_rules(settings),
            incomplete_after=timedelta(days=settings.incomplete_after_days),
            clock=self.clock,
        )
        handlers.update(self.rollups.handlers())
        # With a translation provider, texts are also matched in English (translations are cached).
        self.themes = ThemeJobs(
            store=self.store,
            pivot=english_pivot(self.translator) if settings.translation_provider != "none" else None,
            clock=self.clock,
        )
        handlers.update(self.themes.handlers())
        if settings.shop_api_key is not None:
            refused = add_api_routes(
                web_app,
                store=self.store,
                api_key=settings.shop_api_key.get_secret_value(),
                clock=self.clock,
                deep_link=self.deep_link,
            )
            # Runs before the database closes (the stack unwinds in reverse).
            self._stack.push_async_callback(refused.flush)
        if settings.telegram_bot_token is not None:
            await self._start_telegram(settings, web_app)
        self._start_whatsapp(settings, web_app)
        if settings.webchat_enabled:
            self._start_webchat(settings, web_app, ui)
        if self.console is not None:
            self.dispatcher.register(self.console)
        # Closed in reverse: stop the server, drain accepted events while the Telegram client
        # still works, then close the client and the database.
        self._stack.push_async_callback(self.dispatcher.close)
        self.server = WebServer(
            web_app,
            host=settings.host,
            port=settings.port,
            header_timeout=settings.http_header_timeout_seconds,
        )
        await self.server.start()
        self._stack.push_async_callback(self.server.stop)
        await self.dispatcher.replay_pending()
        if self.slack_agents is not None and settings.slack_app_token is not None:
            socket = await self.slack_agents.connect_socket_mode(settings.slack_app_token.get_secret_value())
            self._stack.push_async_callback(socket.close_async)
        if self.report_jobs is not None:
            await self.report_jobs.plan()
        await self.themes.plan()
        self._spawn(self._purge_loop(), "retention purge")
        self._spawn(self._retry_loop(), "event retries")
        self.jobs = JobRunner(
            jobs=self.store.jobs, handlers=handlers, clock=self.clock, batches=self.rollups.batches()
        )
        self._spawn(self.jobs.run_forever(), "jobs")

    def _job_handlers(self, settings: Settings, web_app: web.Application) -> dict[str, Handler]:
        """What this worker can run; jobs of other kinds wait in the database (nothing is dropped)."""
        escalation = None
        if settings.slack_bot_token is None or not settings.slack_default_channel:
            log.info("no Slack desk (SLACK_BOT_TOKEN, SLACK_DEFAULT_CHANNEL): tickets wait for it")
        else:
            from handlers.slack import SlackDesk, make_client
            from handlers.slack_improvements import SlackImprovements

            client = make_client(
                token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_base_url
            )
            desk = SlackDesk(
                client=client,
                default_channel=settings.slack_default_channel,
                escalation_channel=settings.slack_escalation_channel,
            )
            escalation = Escalation(
                store=self.store,
                desk=desk,
                translator=self.translator,
                policy=self.policy,
                agent_language=settings.agent_language,
                suggestions_channel=settings.slack_suggestions_channel,
                clock=self.clock,
            )
            improvements = SlackImprovements(client=client, default_channel=settings.slack_default_channel)
            self._mount_slack(settings, web_app, client, improvements)
            self.report_jobs = ReportJobs(
                store=self.store,
                poster=desk,
                channel=settings.slack_reports_channel,
                kinds=list(settings.report_schedule),
                min_group=settings.report_min_group,
                clock=self.clock,
                approval=Approval(
                    poster=improvements, policy=self.policy, questionnaire=settings.default_questionnaire
                )
                if settings.report_approvers
                else None,
            )
            improvement_jobs = ImprovementJobs(
                store=self.store,
                poster=improvements,
                policy=self.policy,
                reports_channel=settings.slack_reports_channel,
                min_group=settings.report_min_group,
                clock=self.clock,
            )
        jobs = TicketJobs(
            store=self.store,
            channel=self.dispatcher.channel,
            escalation=escalation,
            submit=self.dispatcher.submit,
        )
        handlers = jobs.handlers()
        handlers.update(self._admin_notices(settings).handlers())
        if self.report_jobs is not None:
            handlers.update(self.report_jobs.handlers())
            handlers.update(improvement_jobs.handlers())
        return handlers

    def _admin_notices(self, settings: Settings) -> AdminNoticeJobs:
        """Review notices into admins' chats: Telegram through the dispatcher, Slack as direct messages."""
        post = None
        if settings.slack_bot_token is not None:
            from handlers.slack import make_client
            from handlers.slack_admin_review import post_notice

            client = make_client(
                token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_base_url
            )

            async def post(notice: AdminNoticeJob) -> None:
                await post_notice(client, notice)

        return AdminNoticeJobs(channel=self.dispatcher.channel, submit=self.dispatcher.submit, slack=post)

    def _mount_slack(
        self,
        settings: Settings,
        web_app: web.Application,
        client: AsyncWebClient,
        improvements: SlackImprovements,
    ) -> None:
        if settings.slack_signing_secret is None and settings.slack_app_token is None:
            log.warning(
                "SLACK_SIGNING_SECRET / SLACK_APP_TOKEN unset: agents' buttons in Slack are not accepted"
            )
            return
        from handlers.slack_agents import SLACK_EVENTS_PATH, SlackAgents
        from handlers.slack_approval import ApprovalListeners

        dispatcher = self.dispatcher

        async def submit(event: InboundEvent) -> Reply | None:
            # Slack wants its answer within 3 s; a slower outcome reaches the agent as a message.
            return await dispatcher.submit_and_wait(event, timeout=SLACK_ACK_WAIT_SECONDS)

        agents = SlackAgents(
            submit=submit,
            client=client,
            # Socket Mode connections are authenticated by the app token; HTTP requests by this secret.
            signing_secret=settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else "",
            allowed_users=frozenset(settings.slack_agent_users),
            admin=AdminContext(
                store=self.store,
                languages=tuple(settings.survey_languages) or catalogs().languages,
                max_minutes=settings.questionnaire_max_minutes,
                translate=self._translate,
                clock=self.clock,
                report_min_group=settings.report_min_group,
                deep_link=self.deep_link,
                admins=self.admins,
            ),
            admin_users=frozenset(settings.admin_slack_users),
            agent_channels=frozenset(
                channel
                for channel in [
                    settings.slack_default_channel,
                    *(t.channel for t in self.policy.teams.values()),
                ]
                if channel
            ),
        )
        ApprovalListeners(
            app=agents.app,
            client=client,
            store=self.store,
            approvals=ReportApprovals(
                store=self.store, approvers=frozenset(settings.report_approvers), clock=self.clock
            ),
            slack=improvements,
            is_agent=agents.allowed,
            clock=self.clock,
        )
        if settings.slack_signing_secret is not None:
            web_app.router.add_post(SLACK_EVENTS_PATH, agents.handle)
        self.dispatcher.register(agents)
        self.slack_agents = agents

    async def _start_telegram(self, settings: Settings, web_app: web.Application) -> None:
        from handlers.telegram import (
            TelegramChannel,
            TelegramPoller,
            make_bot,
            register_commands,
            webhook_handler,
        )

        token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
        bot = make_bot(
            token=token,
            base_url=settings.telegram_api_base_url,
            poll_timeout=settings.telegram_poll_timeout,
            base_file_url=settings.telegram_api_file_url,
        )
        await bot.initialize()
        self._stack.push_async_callback(bot.shutdown)
        self.telegram_username = bot.username
        pacer = Pacer(
            global_rate=settings.telegram_global_rate,
            chat_rate=settings.telegram_chat_rate,
            chat_burst=settings.telegram_chat_burst,
        )
        self.telegram = TelegramChannel(bot=bot, pacer=pacer)
        self._stack.push_async_callback(self.telegram.close)  # before the bot's HTTP client closes
        self.dispatcher.register(self.telegram)
        self._spawn(register_commands(bot, catalogs()), "command menu")
        if settings.public_url and settings.telegram_webhook_secret is not None:
            secret = settings.telegram_webhook_secret.get_secret_value()
            web_app.router.add_post(
                TELEGRAM_WEBHOOK_PATH, webhook_handler(bot=bot, secret=secret, submit=self.dispatcher.submit)
            )
            url = settings.public_url.rstrip("/") + TELEGRAM_WEBHOOK_PATH
            await bot.set_webhook(
                url, secret_token=secret, allowed_updates=["message", "edited_message", "callback_query"]
            )
            log.info("Telegram webhook mode")
        else:
            poller = TelegramPoller(
                bot=bot, submit=self.dispatcher.submit, timeout=settings.telegram_poll_timeout
            )
            self._spawn(poller.run(), "telegram polling")
            log.info("Telegram long-polling mode")

    def deep_link(self, payload: str) -> str | None:
        """The Telegram link that opens the bot with `payload`, once the bot's username is known."""
        username = self.settings.telegram_bot_username or self.telegram_username
        return f"https://t.me/{username}?start={payload}" if username else None

    async def _translate(self, text: str, source: str, target: str) -> Translation:
        return await self.translator.translate(text, source=source, target=target)

    def _start_whatsapp(self, settings: Settings, web_app: web.Application) -> None:
        secrets = (
            settings.whatsapp_access_token,
            settings.whatsapp_app_secret,
            settings.whatsapp_verify_token,
        )
        if settings.whatsapp_phone_number_id is None or any(secret is None for secret in secrets):
            return
        token, app_secret, verify_token = (
            secret.get_secret_value() for secret in secrets if secret is not None
        )
        adapter = WhatsAppChannel(
            base_url=settings.whatsapp_api_base_url,
            phone_number_id=settings.whatsapp_phone_number_id,
            access_token=token,
            catalogs=catalogs(),
            default_language=settings.default_language,
        )
        self._stack.push_async_callback(adapter.close)
        channel = WindowedChannel(
            adapter,
            store=self.store,
            templates=Templates(
                names=dict(settings.whatsapp_templates),
                languages=settings.whatsapp_template_languages,
                default_language=settings.default_language,
            ),
            clock=self.clock,
        )
        self.dispatcher.register(channel)
        deliveries = self.store.deliveries

        async def submit(event: InboundEvent) -> bool:
            await channel.customer_wrote(event)
            return await self.dispatcher.submit(event)

        async def record(status: dict[str, str]) -> None:
            await deliveries.record(channel=WHATSAPP, **status)

        verify, receive = whatsapp_webhook(
            verify_token=verify_token,
            app_secret=app_secret,
            submit=submit,
            statuses=record,
            phone_number_id=settings.whatsapp_phone_number_id,
        )
        web_app.router.add_get(WHATSAPP_WEBHOOK_PATH, verify)
        web_app.router.add_post(WHATSAPP_WEBHOOK_PATH, receive)
        log.info("WhatsApp Cloud API webhook at %s", WHATSAPP_WEBHOOK_PATH)

    def _start_webchat(self, settings: Settings, web_app: web.Application, ui: Catalogs) -> None:
        channel = WebChatChannel(transcripts=self.store.webchat, clock=self.clock)
        self.dispatcher.register(channel)
        secret = settings.webchat_secret.get_secret_value().encode() if settings.webchat_secret else None
        self.webchat = WebChat(
            channel=channel,
            submit=self.dispatcher.submit,
            preview=self.engine.preview,
            signer=TokenSigner(secret or local_key(settings.data_dir / "webchat.secret")),
            catalogs=ui,
            default_language=settings.default_language,
            brand=Brand(name=settings.company_name, logo_url=settings.webchat_logo_url),
            limits=Limits(
                max_chars=settings.webchat_max_chars,
                per_minute=settings.webchat_messages_per_minute,
                allowed_origins=frozenset(settings.webchat_allowed_origins),
                caps=Caps(
                    max_sockets=settings.webchat_max_sockets,
                    max_sockets_per_address=settings.webchat_max_sockets_per_address,
                    messages_per_minute_per_address=settings.webchat_address_messages_per_minute,
                    messages_per_minute=settings.webchat_total_messages_per_minute,
                ),
                trusted_proxies=frozenset(settings.trusted_proxies),
            ),
            clock=self.clock,
        )
        self.webchat.add_routes(web_app)

    @property
    def webchat_url(self) -> str | None:
        if not self.settings.webchat_enabled or self.server is None:
            return None
        host = self.settings.host if self.settings.host not in {"0.0.0.0", "::", ""} else "127.0.0.1"
        return f"http://{host}:{self.server.port}{WEBCHAT_PAGE}"

    def _spawn(self, coroutine: object, name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine, name=name)  # type: ignore[arg-type]
        task.add_done_callback(_report_crash)
        self._tasks.append(task)

    async def _retry_loop(self) -> None:
        """Events that failed (a platform or MongoDB down for a while) run again after a back-off."""
        while True:
            await asyncio.sleep(RETRY_INTERVAL.total_seconds())
            try:
                await self.dispatcher.retry_failed()
            except Exception as error:  # the database itself may be the thing that is down
                log.warning("could not look for events to retry (%s)", type(error).__name__)

    async def _purge_loop(self) -> None:
        while True:
            try:
                await self._purge_once()
            except Exception as error:  # MongoDB down: try again next round, the loop must not die
                log.warning("retention and survey sweep failed (%s)", type(error).__name__)
            await asyncio.sleep(PURGE_INTERVAL.total_seconds())

    async def sweep(self) -> None:
        """One round of the periodic sweep now (what the loop runs every PURGE_INTERVAL)."""
        await self._purge_once()

    async def _purge_once(self) -> None:
        finalised = await self.rollups.sweep()
        if finalised:
            log.info("%d surveys left unfinished counted as incomplete", finalised)
        settings = self.settings
        policy = RetentionPolicy(
            responses_days=settings.data_retention_days,
            feedback_days=settings.feedback_retention_days,
            contacts_days=settings.contact_retention_days,
            tickets_days=settings.ticket_retention_days,
        )
        await retention.enforce(self.store, policy, clock=self.clock)
        cutoff = self.clock() - timedelta(hours=settings.webchat_visitor_ttl_hours)
        forgotten = await self.visitors.purge(channel=WEBCHAT, idle_before=cutoff)
        if forgotten:
            log.info("%d web chat visitors who never took part forgotten", forgotten)

    async def stop(self) -> None:
        """Stop taking events, let accepted ones finish, then close everything opened in `start`."""
        if self.jobs is not None:
            await self.jobs.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self._stack.aclose()


def quality_rules(settings: Settings) -> QualityRules:
    return QualityRules(
        speeder_share=settings.quality_speeder_share,
        straight_line_min=settings.quality_straight_line_min,
        straight_line_share=settings.quality_straight_line_share,
        duplicate_window_days=settings.quality_duplicate_window_days,
    )


def contact_sealer(settings: Settings) -> Sealer:
    """The keys contact details are sealed with: CONTACT_KEYS, or one kept in the data folder."""
    if settings.contact_keys is not None:
        try:
            return Sealer.parse(settings.contact_keys.get_secret_value())
        except SealingError as error:
            raise SettingsError(str(error)) from None
    if settings.mongodb_uri is not None:
        log.warning("CONTACT_KEYS unset: contact details are sealed with a key kept on this machine only")
    return Sealer.local(settings.data_dir / "contact.key")


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %r stopped: %r", task.get_name(), task.exception())
