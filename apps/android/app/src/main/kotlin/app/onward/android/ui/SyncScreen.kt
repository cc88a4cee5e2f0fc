package app.onward.android.ui

import android.graphics.Bitmap
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.platform.LocalClipboardManager
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel
import app.onward.model.Destination
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import kotlinx.coroutines.launch

/** Your devices: turn sync on (code as QR and text), join by scan or paste, status. */
@Composable
fun SyncScreen(app: AppModel) {
    val sync = app.sync
    LaunchedEffect(Unit) { sync.refresh() }
    val s by sync.state.collectAsState()
    val scope = rememberCoroutineScope()
    val clipboard = LocalClipboardManager.current
    val scan = rememberLauncherForActivityResult(ScanContract()) { result ->
        result.contents?.let { code ->
            sync.edit { it.copy(joinCode = code) }
            scope.launch { sync.join() }
        }
    }
    Column(Modifier.fillMaxSize().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        Heading("Your devices")
        Text(s.statusLine, modifier = Modifier.semantics { contentDescription = "Sync status: ${s.statusLine}" })
        s.lastRound?.let { Text(it) }
        ProblemNote(s.problem)
        if (s.enabled == true) {
            val code = s.pairingCode
            if (code != null) {
                Text("To add another device, scan this there, or copy the code:")
                val qr = remember(code) { qrImage(code) }
                Image(qr, contentDescription = "Pairing code as a QR code", modifier = Modifier.size(220.dp))
                SelectionContainer { Text(code) }
                Action("Copy the code") { clipboard.setText(androidx.compose.ui.text.AnnotatedString(code)) }
            }
            Action("Sync now") { scope.launch { sync.syncNow() } }
            Text("Keep in sync in the background")
            Switch(
                checked = s.background,
                onCheckedChange = { on -> if (on) scope.launch { sync.startBackground() } else sync.stopBackground() },
                modifier = Modifier.semantics { contentDescription = "Sync in the background" },
            )
            Action("Turn sync off", "Turn sync off on this phone; your entries stay") { scope.launch { sync.disable() } }
        } else if (s.enabled == false) {
            Text("Start here: your relay's address, and this phone shows a code for the others.")
            Field("Relay address", s.relayAddress, { t -> sync.edit { it.copy(relayAddress = t) } })
            Action("Turn sync on") { scope.launch { sync.enable() } }
            Text("Or join your other device's journal:")
            Action("Scan its code", "Scan the pairing code with the camera") {
                scan.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setPrompt("Point at the code on your other device").setBeepEnabled(false))
            }
            Field("Or paste the code", s.joinCode, { t -> sync.edit { it.copy(joinCode = t) } })
            Action("Paste") { clipboard.getText()?.let { t -> sync.edit { it.copy(joinCode = t.text) } } }
            Action("Join") { scope.launch { sync.join() } }
        }
        Action("Settings", "Open settings: the lock") { app.navigator.open(Destination.SETTINGS) }
    }
}

/** The pairing code as a QR image. */
private fun qrImage(code: String): ImageBitmap {
    val matrix = QRCodeWriter().encode(code, BarcodeFormat.QR_CODE, 512, 512)
    val bitmap = Bitmap.createBitmap(matrix.width, matrix.height, Bitmap.Config.RGB_565)
    for (x in 0 until matrix.width) for (y in 0 until matrix.height) {
        bitmap.setPixel(x, y, if (matrix[x, y]) android.graphics.Color.BLACK else android.graphics.Color.WHITE)
    }
    return bitmap.asImageBitmap()
}
