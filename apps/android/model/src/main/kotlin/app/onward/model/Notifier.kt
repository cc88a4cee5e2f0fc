package app.onward.model

import app.onward.Notice
import app.onward.PostedNotice
import java.time.Clock
import java.time.Duration
import java.time.Instant

/**
 * Posts reminders as system notifications the way the core decides (nothing in quiet
 * hours, a few per local day, each reminder once), whichever shell or run asks: it
 * hands the core what was posted before, posts what comes back, and keeps that in
 * [log] for the next run.
 */
class Notifier(private val store: JournalStore, private val log: PostedLog, private val clock: Clock) {
    /**
     * Posts what is due now through [post] (a notice's words never name a company or a
     * role: they show on a lock screen) and records each one posted. Returns when asking
     * again could give something new (null: nothing pending), or the failure in our words.
     */
    suspend fun run(post: (Notice) -> Unit): Result<Instant?> {
        val before = log.load()
        val decided = store.attempt { it.notifications(before) }.getOrElse { return Result.failure(it) }
        val posted = mutableListOf<PostedNotice>()
        try {
            for (notice in decided.notices) {
                post(notice)
                posted += PostedNotice(notice.key, clock.instant())
            }
        } finally {
            log.save(kept(before + posted)) // What did go out stays counted, even if one failed.
        }
        return Result.success(decided.nextCheck)
    }

    // The last two days' notices count toward today's cap; older ones still keep their
    // reminder from coming again while it is due.
    private suspend fun kept(posted: List<PostedNotice>): List<PostedNotice> {
        val recent = clock.instant().minus(Duration.ofDays(2))
        val due = store.attempt { j -> j.dueReminders().map { it.key }.toSet() }.getOrNull() ?: return posted
        return posted.filter { it.at >= recent || it.key in due }
    }
}

/** Where a notifier keeps what it posted, across runs. */
interface PostedLog {
    fun load(): List<PostedNotice>
    fun save(posted: List<PostedNotice>)
}

/** The posted notices in the app's settings file: "key time" pairs, comma-separated. */
class SettingsPostedLog(private val settings: SettingsFile) : PostedLog {
    override fun load(): List<PostedNotice> =
        settings.get(KEY).orEmpty().split(',').filter { it.isNotBlank() }.mapNotNull { pair ->
            val (key, millis) = pair.trim().split(' ').takeIf { it.size == 2 } ?: return@mapNotNull null
            millis.toLongOrNull()?.let { PostedNotice(key, Instant.ofEpochMilli(it)) }
        }

    override fun save(posted: List<PostedNotice>) {
        settings.set(KEY, posted.joinToString(",") { "${it.key} ${it.at.toEpochMilli()}" }.ifEmpty { null })
    }

    private companion object {
        const val KEY = "notices.posted"
    }
}
