package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel

/** The lock option. */
@Composable
fun SettingsScreen(app: AppModel) {
    val lock by app.lock.state.collectAsState()
    Column(Modifier.fillMaxSize().padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Heading("Settings")
        Text("Lock with your fingerprint, face or screen lock")
        Switch(
            checked = lock.enabled,
            onCheckedChange = { app.lock.setEnabled(it) },
            modifier = Modifier.semantics { contentDescription = "Lock the journal with your device" },
        )
        Text("Your journal lives only in this app's private storage, and on the devices you pair.")
    }
}
