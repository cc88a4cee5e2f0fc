package app.onward.android

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

/**
 * Now and then, posts due reminders as notifications through the model's [Notifier]
 * (app.onward.model.Notifier): the core decides what (nothing in quiet hours, a few per
 * day, each reminder once) and words it for a lock screen, never naming a company or a
 * role; what was posted is kept in the app's settings for the next run.
 */
class ReminderWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val allowed = ContextCompat.checkSelfPermission(applicationContext, Manifest.permission.POST_NOTIFICATIONS) ==
            PackageManager.PERMISSION_GRANTED
        if (!allowed) return Result.success()
        val app = applicationContext as OnwardApp
        val manager = NotificationManagerCompat.from(applicationContext)
        val ran = app.model.await().notifier.run { notice ->
            val notification = NotificationCompat.Builder(applicationContext, OnwardApp.REMINDER_CHANNEL)
                .setSmallIcon(android.R.drawable.ic_menu_today)
                .setContentTitle(notice.title)
                .setContentText(notice.text)
                .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
                .setAutoCancel(true)
                .build()
            manager.notify(notice.key.hashCode(), notification)
        }
        return if (ran.isSuccess) Result.success() else Result.retry()
    }
}
