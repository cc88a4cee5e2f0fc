package app.onward.model

import app.onward.GoalKind
import app.onward.NewApplication
import app.onward.NewGoal
import app.onward.Stage
import kotlinx.coroutines.runBlocking
import java.time.Duration
import java.time.Instant
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

val syncTests: List<Pair<String, () -> Unit>> = listOf(
    "sync: an invitation to show, a phone that previews then confirms, both listed, 'in sync' only after the relay's check" to ::inviteAndJoin,
    "sync: an invitation is put away once it expires, or when closed" to ::invitationPutAway,
    "sync: a lost phone is removed from the laptop and is told so; the others carry on" to ::lostPhone,
    "sync: the recovery kit shows only when asked for, and brings the journal back on a new phone" to ::recoveryKit,
    "sync: the background brings the other phone's entries; a relay that's gone is said plainly" to ::backgroundAndOffline,
)

/** Has [phone] join [first]'s journal as [name], through the preview and the confirmation. */
suspend fun joinBy(first: Harness, phone: Harness, name: String) {
    val invitation = first.app.sync.showInvitation().getOrThrow()
    phone.app.sync.edit { it.copy(joinCode = invitation.code, deviceName = name) }
    phone.app.sync.previewJoin().getOrThrow()
    phone.app.sync.confirmJoin().getOrThrow()
}

fun names(devices: List<app.onward.DeviceInfo>) = devices.filter { !it.recoveryKit }.map { it.name }.toSet()

fun inviteAndJoin() = Relay().use { relay ->
    withApp(clock = RELAY_TIME) {
        val laptop = this
        app.sync.refresh()
        assertEquals(false, app.sync.state.value.enabled)
        assertEquals("Sync is off: this journal lives on this phone only.", app.sync.state.value.statusLine)
        assertTrue(app.sync.enable().isFailure)
        assertEquals("Type your relay's address first, e.g. https://relay.example.org.", app.sync.state.value.problem)

        app.applicationForm.edit { it.copy(company = "Acme", role = "Data Engineer") }
        app.applicationForm.submit().getOrThrow()
        app.sync.edit { it.copy(relayAddress = relay.url, deviceName = "Laptop") }
        app.sync.enable().getOrThrow()
        // Until the first sync: the screen's own line, or the background check's if it
        // answered first (the relay has the journal, nothing sent yet).
        val justOn = app.sync.state.until { it.enabled == true && !it.statusLine.endsWith("…") }
        assertEquals(true, justOn.enabled)
        assertFalse(justOn.inSync)
        assertTrue(
            justOn.statusLine in setOf("On, not synced yet.", "Never synced, 2 changes to push."),
            justOn.statusLine,
        )
        assertEquals(listOf("Laptop"), app.sync.state.value.devices.map { it.name })
        assertNull(app.sync.state.value.invitation, "no invitation until asked for")
        val report = app.sync.syncNow().getOrThrow()
        assertTrue(report.sentChanges > 0u)
        // The sync's own write has the screen check again: wait for that to settle.
        val synced = app.sync.state.until { !it.working }
        assertTrue(synced.inSync)
        assertEquals("In sync.", synced.statusLine)

        // The QR code's text, for ten minutes.
        val invitation = app.sync.showInvitation().getOrThrow()
        assertEquals(invitation, app.sync.state.value.invitation)
        assertTrue(invitation.code.startsWith("ONWARD2-"), invitation.code)
        val left = Duration.between(RELAY_TIME.instant(), invitation.expiresAt)
        assertTrue(left > Duration.ofMinutes(9) && left <= Duration.ofMinutes(10), "$left")

        withApp(clock = RELAY_TIME) {
            // The phone reads the code (pasted with a stray newline) and shows what it joins first.
            app.sync.edit { it.copy(joinCode = "${invitation.code}\n", deviceName = "Phone") }
            assertTrue(app.sync.confirmJoin().isFailure, "no join before the preview")
            val preview = app.sync.previewJoin().getOrThrow()
            assertEquals(relay.url, preview.relayUrl)
            assertEquals(listOf("Laptop"), preview.devices)
            assertEquals(preview, app.sync.state.value.joinPreview)
            assertEquals(false, app.store.read { it.isSyncEnabled() }, "a preview changes nothing")

            val joined = app.sync.confirmJoin().getOrThrow()
            assertTrue(joined.receivedChanges > 0u)
            val on = app.sync.state.value
            assertTrue(on.inSync)
            assertNull(on.joinPreview)
            assertEquals("", on.joinCode)
            assertEquals(setOf("Laptop", "Phone"), names(on.devices))
            assertEquals("Phone", on.devices.single { it.thisDevice }.name)
            val board = app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }
            assertEquals(listOf("Data Engineer at Acme" to Stage.APPLIED), board.board.flatMap { it.cards }.map { it.title to it.stage })
            app.store.read { it.addGoal(NewGoal(kind = GoalKind.SKILL, title = "Learn Kafka")) }
            app.sync.syncNow().getOrThrow()
        }

        // The laptop learns of the phone on its next round: the used invitation goes.
        val back = app.sync.syncNow().getOrThrow()
        assertEquals(1uL, back.receivedChanges)
        assertTrue(back.inSync)
        assertEquals(setOf("Laptop", "Phone"), names(app.sync.state.value.devices))
        assertNull(app.sync.state.value.invitation, "a used invitation is put away")
        assertEquals("Learn Kafka", laptop.app.growth.state.until { it.goals.isNotEmpty() }.goals.single().title)
    }
}

fun invitationPutAway() = Relay().use { relay ->
    withApp(clock = RELAY_TIME) {
        app.sync.edit { it.copy(relayAddress = relay.url, deviceName = "Laptop") }
        app.sync.enable().getOrThrow()
        val invitation = app.sync.showInvitation().getOrThrow()
        app.sync.putAwayIfDone(now = invitation.expiresAt.minusSeconds(60))
        assertEquals(invitation, app.sync.state.value.invitation, "still valid: still shown")
        app.sync.putAwayIfDone(now = invitation.expiresAt)
        assertNull(app.sync.state.value.invitation, "expired: put away")

        app.sync.showInvitation().getOrThrow()
        app.sync.hideInvitation()
        assertNull(app.sync.state.value.invitation)
    }
}

fun lostPhone() = Relay().use { relay ->
    withApp(clock = RELAY_TIME) {
        val laptop = this
        app.sync.edit { it.copy(relayAddress = relay.url, deviceName = "Laptop") }
        app.sync.enable().getOrThrow()
        Harness(clock = RELAY_TIME).use { phone ->
            Harness(clock = RELAY_TIME).use { tablet ->
                joinBy(laptop, phone, "Phone")
                joinBy(laptop, tablet, "Tablet")
                phone.app.store.read { it.logApplication(NewApplication(company = "Initech", role = "Platform Engineer")) }
                phone.app.sync.syncNow().getOrThrow()
                app.sync.syncNow().getOrThrow()
                assertEquals(setOf("Laptop", "Phone", "Tablet"), names(app.sync.state.value.devices))

                // The phone is lost: the laptop removes it.
                val lost = app.sync.state.value.devices.single { it.name == "Phone" }
                val removed = app.sync.removeDevice(lost).getOrThrow()
                assertEquals("Phone", removed.device.name)
                assertEquals("Phone was removed; it can't sync any more.", app.sync.state.value.notice)
                assertEquals(setOf("Laptop", "Tablet"), names(app.sync.state.value.devices))

                // Found again, the phone says it was removed; what it had stays on it.
                assertTrue(phone.app.sync.syncNow().isFailure)
                val told = phone.app.sync.state.value
                assertFalse(told.inSync)
                assertContains(told.problem ?: "", "removed")
                phone.app.pipeline.state.until { s -> s.board.sumOf { it.cards.size } == 1 }

                // The laptop and the tablet carry on without the phone.
                tablet.app.sync.syncNow().getOrThrow()
                assertTrue(app.sync.syncNow().getOrThrow().inSync)
                assertEquals(setOf("Laptop", "Tablet"), names(tablet.app.sync.state.value.devices))
                assertEquals("Platform Engineer at Initech", app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }.board.flatMap { it.cards }.single().title)

                // The tablet leaves by itself; the laptop syncs on alone.
                tablet.app.sync.leave().getOrThrow()
                assertFalse(tablet.app.store.read { it.isSyncEnabled() })
                assertTrue(app.sync.syncNow().getOrThrow().inSync)
                assertEquals(setOf("Laptop"), names(app.sync.state.value.devices))
            }
        }
    }
}

fun recoveryKit() = Relay().use { relay ->
    withApp(clock = RELAY_TIME) {
        app.sync.edit { it.copy(relayAddress = relay.url, deviceName = "Laptop") }
        app.sync.enable().getOrThrow()
        app.store.read { it.logApplication(NewApplication(company = "Globex", role = "Analyst")) }
        app.sync.syncNow().getOrThrow()
        assertNull(app.sync.state.value.recoveryKit, "the kit shows only when asked for")

        val kit = app.sync.showRecoveryKit().getOrThrow()
        assertEquals(kit, app.sync.state.value.recoveryKit)
        assertTrue(kit.startsWith("ONWARDKIT1-"), kit)
        assertTrue(app.sync.state.value.devices.any { it.recoveryKit }, "the kit is listed apart")
        app.sync.hideRecoveryKit()
        assertNull(app.sync.state.value.recoveryKit)

        // Every device is gone; a new phone has the kit.
        withApp(clock = RELAY_TIME) {
            app.sync.edit { it.copy(joinCode = "ONWARDKIT1-AAAA", deviceName = "New phone") }
            assertTrue(app.sync.recover().isFailure)
            assertEquals(false, app.store.read { it.isSyncEnabled() })
            app.sync.edit { it.copy(joinCode = kit) }
            app.sync.recover().getOrThrow()
            assertTrue(app.sync.state.value.inSync)
            val board = app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }
            assertEquals("Analyst at Globex", board.board.flatMap { it.cards }.single().title)
        }
    }
}

fun backgroundAndOffline() = Relay().use { relay ->
    withApp(clock = RELAY_TIME) {
        app.sync.edit { it.copy(relayAddress = relay.url, deviceName = "Laptop") }
        app.sync.enable().getOrThrow()
        app.sync.syncNow().getOrThrow()
        app.sync.startBackground().getOrThrow()
        assertTrue(app.sync.state.value.background)

        val laptop = this
        val phone = Harness(clock = RELAY_TIME)
        phone.use {
            runBlocking {
                phone.app.sync.edit { it.copy(joinCode = "not an invitation") }
                assertTrue(phone.app.sync.previewJoin().isFailure)
                assertNotNull(phone.app.sync.state.value.problem)
                assertNull(phone.app.sync.state.value.joinPreview)
                assertEquals(false, phone.app.store.read { it.isSyncEnabled() })

                joinBy(laptop, phone, "Phone")
                phone.app.store.read { it.logApplication(NewApplication(company = "Initech", role = "Platform Engineer")) }
                phone.app.sync.syncNow().getOrThrow()
            }
        }
        // Nobody asked: the background loop brought it, and the board refreshed.
        val board = app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }
        assertEquals("Platform Engineer at Initech", board.board.flatMap { it.cards }.single().title)
        app.sync.state.until { it.inSync }

        app.sync.stopBackground()
        relay.close()
        app.sync.check()
        val gone = app.sync.state.value
        assertFalse(gone.inSync)
        assertContains(gone.statusLine, "Couldn't check with the relay")
        assertNull(gone.problem)

        assertTrue(app.sync.disable().getOrThrow())
        assertEquals(false, app.sync.state.value.enabled)
        assertEquals(1, app.pipeline.state.value.board.sumOf { it.cards.size })
    }
}
