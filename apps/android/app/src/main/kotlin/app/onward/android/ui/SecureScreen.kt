package app.onward.android.ui

import android.app.Activity
import android.content.Context
import android.content.ContextWrapper
import android.view.WindowManager
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.ui.platform.LocalContext

/**
 * Keeps the window out of screenshots, screen recordings and the recent-apps preview
 * (FLAG_SECURE) while [secret] is on screen: an invitation lets a device into the
 * journal, and a recovery kit opens it. The flag goes when the secret does.
 */
@Composable
fun SecureWhile(secret: Boolean) {
    val activity = LocalContext.current.activity() ?: return
    DisposableEffect(secret) {
        if (secret) activity.window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        onDispose {
            if (secret) activity.window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE)
        }
    }
}

private tailrec fun Context.activity(): Activity? = when (this) {
    is Activity -> this
    is ContextWrapper -> baseContext.activity()
    else -> null
}
