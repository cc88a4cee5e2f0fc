package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.InterviewKind
import app.onward.Source
import app.onward.interviewKindLabel
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.sourceLabel
import java.time.Instant
import kotlinx.coroutines.launch

/** Logging an application: company and role, the rest optional. */
@Composable
fun ApplicationScreen(app: AppModel) {
    val form = app.applicationForm
    val s by form.state.collectAsState()
    val scope = rememberCoroutineScope()
    Column(Modifier.fillMaxSize().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Heading("Log an application")
        Field("Company", s.company, { t -> form.edit { it.copy(company = t) } })
        Field("Role", s.role, { t -> form.edit { it.copy(role = t) } })
        Field("Link (optional)", s.url, { t -> form.edit { it.copy(url = t) } })
        Choices("Found through", Source.entries, s.source, ::sourceLabel) { v -> form.edit { it.copy(source = v) } }
        Choices("How much you want it", (1..5).toList(), s.excitement, { it.toString() }) { v -> form.edit { it.copy(excitement = v) } }
        Text("Applied today (off: saved for later)")
        Switch(
            checked = s.appliedToday,
            onCheckedChange = { on -> form.edit { it.copy(appliedToday = on) } },
            modifier = Modifier.semantics { contentDescription = "Applied today" },
        )
        ProblemNote(s.problem)
        s.saved?.let { Text("Logged: ${it.title}. A gentle follow-up reminder comes in a week.") }
        Action("Save") { scope.launch { form.submit() } }
    }
}

/** Logging an interview, then the debrief offered while it's fresh. */
@Composable
fun InterviewScreen(app: AppModel, applicationId: String?) {
    val form = app.interviewForm
    LaunchedEffect(applicationId) { if (applicationId != null && form.state.value.applicationId != applicationId) form.forApplication(applicationId) }
    val s by form.state.collectAsState()
    val board by app.pipeline.state.collectAsState()
    val scope = rememberCoroutineScope()
    Column(Modifier.fillMaxSize().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Heading("Log an interview")
        val open = board.board.flatMap { it.cards }
        Choices("For", open.map { it.id }, s.applicationId, { id -> open.first { it.id == id }.title }) { v ->
            form.edit { it.copy(applicationId = v) }
        }
        Choices("Kind", InterviewKind.entries, s.kind, ::interviewKindLabel) { v -> form.edit { it.copy(kind = v) } }
        Action(if (s.at == null) "It was just now" else "Time set", "Set the time to now") {
            form.edit { it.copy(at = Instant.now()) }
        }
        Field("Who you met (one per line)", s.interviewers, { t -> form.edit { it.copy(interviewers = t) } }, lines = 2)
        Field("Questions asked (one per line)", s.questions, { t -> form.edit { it.copy(questions = t) } }, lines = 3)
        Choices("How it felt", (1..5).toList(), s.selfRating, { it.toString() }) { v -> form.edit { it.copy(selfRating = v) } }
        ProblemNote(s.problem)
        Action("Save") { scope.launch { form.submit() } }
        s.saved?.let { saved ->
            Text("Saved. A few lines now, from the interviewer's side, help a lot later.")
            Action("Debrief now") {
                app.entryForm.debrief(saved.meta.id)
                app.navigator.open(Destination.WRITE_ENTRY)
            }
        }
    }
}
