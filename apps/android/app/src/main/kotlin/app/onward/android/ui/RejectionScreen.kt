package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.Reason
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.model.NextStep
import app.onward.model.StepState
import app.onward.reasonLabel
import kotlinx.coroutines.launch

/** A no, then the next small steps right there, each one skippable. */
@Composable
fun RejectionScreen(app: AppModel, applicationId: String?) {
    val flow = app.rejection
    LaunchedEffect(applicationId) { if (applicationId != null && flow.state.value.applicationId != applicationId) flow.forApplication(applicationId) }
    val s by flow.state.collectAsState()
    val board by app.pipeline.state.collectAsState()
    val scope = rememberCoroutineScope()
    Column(Modifier.fillMaxSize().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        val offered = s.offered
        if (offered == null) {
            Heading("Log a no")
            val open = board.board.flatMap { it.cards }
            Choices("Which one", open.map { it.id }, s.applicationId, { id -> open.first { it.id == id }.title }) { v ->
                flow.edit { it.copy(applicationId = v) }
            }
            Choices("Reason given", Reason.entries, s.reason, ::reasonLabel) { v -> flow.edit { it.copy(reason = v) } }
            Field("Their message (optional)", s.messageText, { t -> flow.edit { it.copy(messageText = t) } }, lines = 3)
            ProblemNote(s.problem)
            Action("Save") { scope.launch { flow.log() } }
            return@Column
        }
        Heading("Noted. It's allowed to sting.")
        Text("Many people apply for one opening, and the reasons are often outside your control. A few small steps, each one optional:")
        ProblemNote(s.problem)
        Step(s.steps[NextStep.CHECK_IN], offered.checkIn, { flow.skip(NextStep.CHECK_IN) }) {
            MoodFaces(offered.checkIn, s.pickedMood) { flow.pickMood(it) }
            Action("That's how I feel", "Save the check-in") { scope.launch { flow.saveCheckIn() } }
        }
        Step(s.steps[NextStep.STEP_BACK], "Step back", { flow.skip(NextStep.STEP_BACK) }) {
            Text(offered.stepBack.text)
            Action("Plan it for tomorrow") { scope.launch { flow.planStepBack() } }
        }
        Step(s.steps[NextStep.THANK_YOU], "Say thank you", { flow.skip(NextStep.THANK_YOU) }) {
            Field("Thank-you note", s.thankYouText, { t -> flow.edit { it.copy(thankYouText = t) } }, lines = 5)
            Action("Keep this draft") { scope.launch { flow.saveThankYou() } }
        }
        Step(s.steps[NextStep.FEEDBACK], "Ask for feedback", { flow.skip(NextStep.FEEDBACK) }) {
            Text("Many companies can't share any, and that's normal. Asking still shows you're open to learning.")
            Field("Feedback request", s.feedbackText, { t -> flow.edit { it.copy(feedbackText = t) } }, lines = 5)
            Action("Keep this draft") { scope.launch { flow.saveFeedbackRequest() } }
        }
        if (s.finished) {
            Text("That's all for now. Be kind to yourself today.")
            Action("Write about it") {
                s.rejection?.let { app.entryForm.reflect(it.meta.id) }
                app.navigator.open(Destination.WRITE_ENTRY)
            }
        }
    }
}

/** One offered step: its content while offered, a short line once settled. */
@Composable
private fun Step(state: StepState?, title: String, skip: () -> Unit, content: @Composable () -> Unit) {
    Card(Modifier.semantics { contentDescription = title }) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(title, style = MaterialTheme.typography.titleMedium)
            when (state) {
                StepState.OFFERED -> {
                    content()
                    Row { TextButton(onClick = skip, modifier = Modifier.semantics { contentDescription = "Not now: $title" }) { Text("Not now") } }
                }
                StepState.DONE -> Text("Done. Well done.")
                StepState.SKIPPED -> Text("Set aside. That's fine.")
                null -> {}
            }
        }
    }
}
