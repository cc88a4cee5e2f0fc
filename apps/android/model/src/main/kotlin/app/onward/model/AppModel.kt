package app.onward.model

import app.onward.SecretStore
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import java.nio.file.Files
import java.nio.file.Path
import java.time.Clock

/**
 * Every screen's model over one journal, and the router that hands each change from
 * the core's observer to the screens showing what changed (and only those).
 */
class AppModel private constructor(
    val store: JournalStore,
    settings: SettingsFile,
    clock: Clock,
    scope: CoroutineScope,
) : AutoCloseable {
    val navigator = Navigator()
    val lock = LockModel(settings)

    val today = TodayModel(store, clock)
    val pipeline = PipelineModel(store)
    val detail = DetailModel(store)
    val search = SearchModel(store)
    val insights = InsightsModel(store)
    val stepBack = StepBackModel(store, clock)
    val growth = GrowthModel(store)
    val sync = SyncModel(store, clock)

    /** Posts due reminders as notifications, as the core decides; run by the worker. */
    val notifier = Notifier(store, SettingsPostedLog(settings), clock)

    val applicationForm = ApplicationForm(store, clock)
    val interviewForm = InterviewForm(store)
    val rejection = RejectionFlow(store, clock)
    val entryForm = EntryForm(store)

    private val screens: List<ScreenModel<*>> = listOf(today, pipeline, detail, search, insights, stepBack, growth, sync)

    private val router: Job = scope.launch {
        store.changes.collect { change ->
            for (screen in screens) if (screen.shows(change)) screen.refresh()
        }
    }

    /** Reads every screen once (at start; afterwards changes refresh them). */
    suspend fun load() {
        for (screen in screens) screen.refresh()
    }

    /** Stops the work under way; the journal closes once the calls in flight are done. */
    override fun close() {
        sync.stopBackground()
        router.cancel()
        store.close()
    }

    companion object {
        /** The journal's file name in the app's private storage. */
        const val JOURNAL_FILE = "journal.onward"

        /**
         * Opens the journal in [dir] (the app's private storage), with storage calls on
         * [storage], the router and screens' work in [scope], the time from [clock]
         * (days in its zone: the device's) and this device's sync keys in [secrets]
         * (the Keystore-backed store on a phone).
         */
        suspend fun open(
            dir: Path,
            storage: CoroutineDispatcher,
            scope: CoroutineScope,
            clock: Clock,
            secrets: SecretStore,
        ): AppModel {
            Files.createDirectories(dir)
            val store = JournalStore.open(dir.resolve(JOURNAL_FILE).toString(), storage, secrets, clock)
            return AppModel(store, SettingsFile(dir.resolve("settings.properties")), clock, scope)
        }
    }
}
