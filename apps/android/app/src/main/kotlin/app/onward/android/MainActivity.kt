package app.onward.android

import android.os.Bundle
import androidx.activity.compose.setContent
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_WEAK
import androidx.biometric.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import androidx.biometric.BiometricPrompt
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.produceState
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import app.onward.android.ui.LockedScreen
import app.onward.android.ui.OnwardRoot
import app.onward.android.ui.OnwardTheme
import app.onward.android.ui.Opening
import app.onward.model.AppModel
import app.onward.model.LockModel
import kotlinx.coroutines.ExperimentalCoroutinesApi

/** The one activity: the lock gate, then the app's screens. */
@OptIn(ExperimentalCoroutinesApi::class)
class MainActivity : FragmentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as OnwardApp
        setContent {
            OnwardTheme {
                val model by produceState<AppModel?>(null) { value = app.model.await() }
                val opened = model
                if (opened == null) {
                    Opening()
                } else {
                    val lock by opened.lock.state.collectAsState()
                    if (lock.locked) {
                        LaunchedEffect(Unit) { askToUnlock(opened.lock) }
                        LockedScreen(lock.note) { askToUnlock(opened.lock) }
                    } else {
                        OnwardRoot(opened)
                    }
                }
            }
        }
        // Lock again whenever the whole app goes to the background.
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStop(owner: LifecycleOwner) {
                if (app.model.isCompleted) app.model.getCompleted().lock.backgrounded()
            }
        })
    }

    /** The device's biometrics, or its passcode/pattern/PIN. */
    private fun askToUnlock(lock: LockModel) {
        val prompt = BiometricPrompt(
            this,
            ContextCompat.getMainExecutor(this),
            object : BiometricPrompt.AuthenticationCallback() {
                override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) = lock.unlocked()
                override fun onAuthenticationError(code: Int, message: CharSequence) = lock.notUnlocked()
            },
        )
        prompt.authenticate(
            BiometricPrompt.PromptInfo.Builder()
                .setTitle(getString(R.string.unlock_title))
                .setSubtitle(getString(R.string.unlock_subtitle))
                .setAllowedAuthenticators(BIOMETRIC_WEAK or DEVICE_CREDENTIAL)
                .build(),
        )
    }
}
