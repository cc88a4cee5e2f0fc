package app.onward.android

import android.app.Application
import android.app.NotificationChannel
import android.app.NotificationManager
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import app.onward.model.AppModel
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import java.time.Clock
import java.util.concurrent.TimeUnit

/**
 * Opens the journal once per process, in the app's private storage (filesDir), with
 * every storage call on the IO dispatcher; the screens share the one [AppModel].
 */
class OnwardApp : Application() {
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)

    /** The app's model; awaiting it opens the journal off the main thread. */
    lateinit var model: Deferred<AppModel>
        private set

    override fun onCreate() {
        super.onCreate()
        model = scope.async {
            // The sync keys sit in no-backup storage, sealed by a Keystore key.
            val secrets = KeystoreSecretStore(noBackupFilesDir.resolve("sync-keys"))
            AppModel.open(filesDir.toPath(), Dispatchers.IO, scope, Clock.systemDefaultZone(), secrets).also { app ->
                // How the person's other devices list this one, until they rename it.
                app.sync.edit { it.copy(deviceName = android.os.Build.MODEL) }
                app.load()
                // A phone that syncs keeps syncing while the app runs.
                if (app.sync.state.value.enabled == true) app.sync.startBackground()
            }
        }
        val channel = NotificationChannel(
            REMINDER_CHANNEL,
            getString(R.string.reminder_channel),
            NotificationManager.IMPORTANCE_DEFAULT,
        ).apply { description = getString(R.string.reminder_channel_description) }
        getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
        WorkManager.getInstance(this).enqueueUniquePeriodicWork(
            "reminders",
            ExistingPeriodicWorkPolicy.KEEP,
            PeriodicWorkRequestBuilder<ReminderWorker>(3, TimeUnit.HOURS).build(),
        )
    }

    companion object {
        const val REMINDER_CHANNEL = "reminders"
    }
}
