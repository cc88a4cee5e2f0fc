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
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.model.SyncModel
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/**
 * Your devices: turn sync on, show an invitation (QR and text) to add one, join by an
 * invitation after seeing what it joins, the device list (remove a lost phone), leave,
 * and the recovery kit when asked for. Codes and kits are never put on the clipboard,
 * and the window is kept out of screenshots while one shows.
 */
@Composable
fun SyncScreen(app: AppModel) {
    val sync = app.sync
    LaunchedEffect(Unit) { sync.refresh() }
    val s by sync.state.collectAsState()
    val scope = rememberCoroutineScope()
    SecureWhile(s.invitation != null || s.recoveryKit != null)
    // While an invitation shows, look every few seconds whether it was used or expired.
    LaunchedEffect(s.invitation) {
        while (s.invitation != null) {
            delay(3_000)
            sync.putAwayIfDone()
        }
    }
    val scan = rememberLauncherForActivityResult(ScanContract()) { result ->
        result.contents?.let { code ->
            sync.edit { it.copy(joinCode = code) }
            scope.launch { sync.previewJoin() }
        }
    }
    Column(Modifier.fillMaxSize().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        Heading("Your devices")
        Text(s.statusLine, modifier = Modifier.semantics { contentDescription = "Sync status: ${s.statusLine}" })
        s.lastRound?.let { Text(it) }
        s.notice?.let { notice ->
            Text(notice)
            Action("OK", "Dismiss: $notice") { sync.dismissNotice() }
        }
        ProblemNote(s.problem)
        if (s.enabled == true) {
            val invitation = s.invitation
            if (invitation != null) {
                Text("Scan this on your other device. It works once, until ${timeOfDay(invitation.expiresAt)}.")
                val qr = remember(invitation.code) { qrImage(invitation.code) }
                Image(qr, contentDescription = "Invitation as a QR code", modifier = Modifier.size(220.dp))
                Text("Or type it there:")
                Text(invitation.code)
                Action("Done", "Put the invitation away") { sync.hideInvitation() }
            } else {
                Action("Add a device", "Show an invitation for another device") { scope.launch { sync.showInvitation() } }
            }
            Text("Devices")
            for (device in s.devices.filter { !it.recoveryKit }) {
                Text(if (device.thisDevice) "${device.name} (this phone)" else device.name)
                if (!device.thisDevice) {
                    Action("Remove", "Remove ${device.name}: it can't sync any more") { scope.launch { sync.removeDevice(device) } }
                }
            }
            Action("Sync now") { scope.launch { sync.syncNow() } }
            Text("Keep in sync in the background")
            Switch(
                checked = s.background,
                onCheckedChange = { on -> if (on) scope.launch { sync.startBackground() } else sync.stopBackground() },
                modifier = Modifier.semantics { contentDescription = "Sync in the background" },
            )
            val kit = s.recoveryKit
            if (kit != null) {
                Text(SyncModel.KIT_WARNING)
                val qr = remember(kit) { qrImage(kit) }
                Image(qr, contentDescription = "Recovery kit as a QR code", modifier = Modifier.size(220.dp))
                Text(kit)
                Action("I've put it somewhere safe", "Hide the recovery kit") { sync.hideRecoveryKit() }
            } else {
                Action("Make a recovery kit", "Make a recovery kit, for when every device is lost") { scope.launch { sync.showRecoveryKit() } }
            }
            Action("Leave", "Take this phone off your devices; your entries stay") { scope.launch { sync.leave() } }
            Action("Turn sync off", "Turn sync off on this phone; your entries stay") { scope.launch { sync.disable() } }
        } else if (s.enabled == false) {
            Field("This phone's name", s.deviceName, { t -> sync.edit { it.copy(deviceName = t) } })
            Text("Start here: your relay's address. Then add your other devices from this phone.")
            Field("Relay address", s.relayAddress, { t -> sync.edit { it.copy(relayAddress = t) } })
            Action("Turn sync on") { scope.launch { sync.enable() } }
            val preview = s.joinPreview
            if (preview != null) {
                Text("This joins the journal on ${preview.relayUrl}, synced by ${preview.devices.joinToString()}.")
                Action("Join") { scope.launch { sync.confirmJoin() } }
                Action("Not this one", "Cancel joining") { sync.cancelJoin() }
            } else {
                Text("Or join your other device's journal:")
                Action("Scan its invitation", "Scan the invitation with the camera") {
                    scan.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setPrompt("Point at the invitation on your other device").setBeepEnabled(false))
                }
                Field("Or type the invitation", s.joinCode, { t -> sync.edit { it.copy(joinCode = t) } })
                Action("Continue", "See what the invitation joins") { scope.launch { sync.previewJoin() } }
                Action("Use a recovery kit", "Bring your journal back from the recovery kit typed above") { scope.launch { sync.recover() } }
            }
        }
        Action("Settings", "Open settings: the lock") { app.navigator.open(Destination.SETTINGS) }
    }
}

/** A time today, as the phone shows times. */
private fun timeOfDay(at: java.time.Instant): String =
    java.time.format.DateTimeFormatter.ofLocalizedTime(java.time.format.FormatStyle.SHORT)
        .format(at.atZone(java.time.ZoneId.systemDefault()))

/** A code (an invitation, a recovery kit) as a QR image. */
private fun qrImage(code: String): ImageBitmap {
    val matrix = QRCodeWriter().encode(code, BarcodeFormat.QR_CODE, 512, 512)
    val bitmap = Bitmap.createBitmap(matrix.width, matrix.height, Bitmap.Config.RGB_565)
    for (x in 0 until matrix.width) for (y in 0 until matrix.height) {
        bitmap.setPixel(x, y, if (matrix[x, y]) android.graphics.Color.BLACK else android.graphics.Color.WHITE)
    }
    return bitmap.asImageBitmap()
}
