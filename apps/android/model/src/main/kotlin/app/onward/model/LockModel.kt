package app.onward.model

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow

/**
 * The optional lock: with it on, the journal stays hidden until the device's
 * biometrics or passcode say it's you. The platform does the asking (androidx.biometric,
 * LocalAuthentication) and reports here.
 */
data class LockState(val enabled: Boolean, val locked: Boolean, val note: String? = null)

class LockModel(private val settings: SettingsFile) {
    private val enabledAtStart = settings.get(KEY) == "on"
    private val mutable = MutableStateFlow(LockState(enabled = enabledAtStart, locked = enabledAtStart))

    val state: StateFlow<LockState> = mutable

    /** Turns the lock on or off; the choice is kept for the next start. */
    fun setEnabled(on: Boolean) {
        settings.set(KEY, if (on) "on" else "off")
        mutable.value = LockState(enabled = on, locked = false)
    }

    /** The app went to the background: lock it again if the lock is on. */
    fun backgrounded() {
        if (mutable.value.enabled) mutable.value = mutable.value.copy(locked = true, note = null)
    }

    /** The device confirmed it's you. */
    fun unlocked() {
        mutable.value = mutable.value.copy(locked = false, note = null)
    }

    /** The device check didn't pass or was cancelled: stay locked, say how to go on. */
    fun notUnlocked() {
        mutable.value = mutable.value.copy(note = "Still locked. Try again when you're ready.")
    }

    private companion object {
        const val KEY = "lock"
    }
}
