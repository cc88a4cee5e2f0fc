package app.onward.android

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import app.onward.model.ReminderNotice
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Now and then, posts the reminders that are due as notifications. Their text comes
 * from [ReminderNotice]: it never names a company or a role, since it shows on a lock
 * screen. At most three at a time.
 */
class ReminderWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as OnwardApp
        val due = app.model.await().store.attempt { it.dueReminders() }.getOrElse { return Result.retry() }
        val allowed = ContextCompat.checkSelfPermission(applicationContext, Manifest.permission.POST_NOTIFICATIONS) ==
            PackageManager.PERMISSION_GRANTED
        if (!allowed) return Result.success()
        withContext(Dispatchers.Main) {
            val manager = NotificationManagerCompat.from(applicationContext)
            for (reminder in due.take(3)) {
                val notice = ReminderNotice.of(reminder)
                val notification = NotificationCompat.Builder(applicationContext, OnwardApp.REMINDER_CHANNEL)
                    .setSmallIcon(android.R.drawable.ic_menu_today)
                    .setContentTitle(notice.title)
                    .setContentText(notice.text)
                    .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
                    .setAutoCancel(true)
                    .build()
                manager.notify(reminder.key.hashCode(), notification)
            }
        }
        return Result.success()
    }
}
