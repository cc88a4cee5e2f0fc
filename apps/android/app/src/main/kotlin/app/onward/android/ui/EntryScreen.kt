package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.onward.EntryKind
import app.onward.entryKindLabel
import app.onward.model.AppModel
import kotlinx.coroutines.launch

/** A journal entry with the core's prompts for its kind. */
@Composable
fun EntryScreen(app: AppModel) {
    val form = app.entryForm
    val s by form.state.collectAsState()
    LaunchedEffect(Unit) { if (s.prompts.isEmpty()) form.start(s.kind) }
    val scope = rememberCoroutineScope()
    Column(Modifier.fillMaxSize().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Heading(entryKindLabel(s.kind))
        // The kind is fixed once the entry belongs to an interview or a no.
        if (s.interviewId == null && s.rejectionId == null) {
            Choices("Kind", EntryKind.entries, s.kind, ::entryKindLabel) { form.start(it) }
        }
        if (s.intro.isNotEmpty()) Text(s.intro)
        for (prompt in s.prompts) {
            Field(prompt.text, s.answers[prompt.id] ?: "", { t -> form.answer(prompt.id, t) }, lines = 2)
        }
        Field("Anything else", s.body, { t -> form.edit { it.copy(body = t) } }, lines = 4)
        ProblemNote(s.problem)
        s.saved?.let { Text("Saved. Thank you for taking the time.") }
        Action("Save") { scope.launch { form.submit() } }
    }
}
