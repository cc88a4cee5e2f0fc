package app.onward.model

import app.onward.GoalKind
import app.onward.NewApplication
import app.onward.NewGoal
import app.onward.Stage
import kotlinx.coroutines.runBlocking
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

val syncTests: List<Pair<String, () -> Unit>> = listOf(
    "sync: a code to show, a phone that joins by it, 'in sync' only after the relay's check" to ::pairAndSync,
    "sync: the background brings the other phone's entries; a relay that's gone is said plainly" to ::backgroundAndOffline,
)

fun pairAndSync() = Relay().use { relay ->
    withApp {
        val laptop = this
        app.sync.refresh()
        assertEquals(false, app.sync.state.value.enabled)
        assertEquals("Sync is off: this journal lives on this phone only.", app.sync.state.value.statusLine)
        assertTrue(app.sync.enable().isFailure)
        assertEquals("Type your relay's address first, e.g. https://relay.example.org.", app.sync.state.value.problem)

        app.applicationForm.edit { it.copy(company = "Acme", role = "Data Engineer") }
        app.applicationForm.submit().getOrThrow()
        app.sync.edit { it.copy(relayAddress = relay.url) }
        val code = app.sync.enable().getOrThrow()
        val on = app.sync.state.value
        assertEquals(code, on.pairingCode)
        assertFalse(on.inSync)
        assertEquals("On, not synced yet.", on.statusLine)

        val report = app.sync.syncNow().getOrThrow()
        assertTrue(report.sentChanges > 0u)
        val synced = app.sync.state.value
        assertContains(synced.relayAddress, relay.url.removePrefix("http://"))
        assertEquals(
            SyncScreenState(
                enabled = true, relayAddress = synced.relayAddress, pairingCode = code, inSync = true,
                statusLine = "In sync.", lastRound = "Sent ${report.sentChanges}, received 0.",
            ),
            synced,
        )

        // A new check-in is not on the relay yet: the screen asks again and says so.
        app.today.checkIn(3)
        val stale = app.sync.state.until { !it.inSync && !it.working }
        assertEquals("1 change to push.", stale.statusLine)

        withApp {
            // The phone joins by the code, pasted with a stray newline.
            app.sync.edit { it.copy(joinCode = "$code\n") }
            val joined = app.sync.join().getOrThrow()
            assertTrue(joined.receivedChanges > 0u)
            assertTrue(app.sync.state.value.inSync)
            assertEquals(code, app.sync.state.value.pairingCode)
            val board = app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }
            assertEquals(listOf("Acme" to Stage.APPLIED), board.board.flatMap { it.cards }.map { it.company to it.stage })
            app.store.read { it.addGoal(NewGoal(kind = GoalKind.SKILL, title = "Learn Kafka")) }
            app.sync.syncNow().getOrThrow()
        }

        val back = app.sync.syncNow().getOrThrow()
        assertEquals(1uL, back.receivedChanges)
        assertTrue(back.inSync)
        assertEquals("Learn Kafka", laptop.app.growth.state.until { it.goals.isNotEmpty() }.goals.single().title)
    }
}

fun backgroundAndOffline() = Relay().use { relay ->
    withApp {
        app.sync.edit { it.copy(relayAddress = relay.url) }
        val code = app.sync.enable().getOrThrow()
        app.sync.syncNow().getOrThrow()
        app.sync.startBackground().getOrThrow()
        assertTrue(app.sync.state.value.background)

        val phone = Harness()
        phone.use {
            runBlocking {
                phone.app.sync.edit { it.copy(joinCode = "not a pairing code") }
                assertTrue(phone.app.sync.join().isFailure)
                assertNotNull(phone.app.sync.state.value.problem)
                assertEquals(false, phone.app.store.read { it.isSyncEnabled() })

                phone.app.sync.edit { it.copy(joinCode = code) }
                phone.app.sync.join().getOrThrow()
                phone.app.store.read { it.logApplication(NewApplication(company = "Initech", role = "Platform Engineer")) }
                phone.app.sync.syncNow().getOrThrow()
            }
        }
        // Nobody asked: the background loop brought it, and the board refreshed.
        val board = app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }
        assertEquals("Initech", board.board.flatMap { it.cards }.single().company)
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
