package app.onward.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
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
import app.onward.Link
import app.onward.RecordKind
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.recordKindLabel
import app.onward.stageLabel
import kotlinx.coroutines.launch

/** One record, its links both ways, and what can be done from it. */
@Composable
fun DetailScreen(app: AppModel, id: String?) {
    LaunchedEffect(id) { if (id != null) app.detail.show(id) }
    val state by app.detail.state.collectAsState()
    val scope = rememberCoroutineScope()
    val shown = state.id ?: return
    LazyColumn(Modifier.fillMaxSize().padding(16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
        item { Heading(state.title) }
        item { Text(state.kind?.let(::recordKindLabel) ?: "") }
        item { ProblemNote(state.problem) }
        items(state.nextStages) { stage ->
            Action("Moved on: ${stageLabel(stage)}", "Move to ${stageLabel(stage)}") {
                scope.launch { app.pipeline.moveStage(shown, stage) }
            }
        }
        when (state.kind) {
            RecordKind.APPLICATION -> item {
                Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
                    Action("Log an interview") {
                        app.interviewForm.forApplication(shown)
                        app.navigator.open(Destination.LOG_INTERVIEW, shown)
                    }
                    Action("I heard no") {
                        app.rejection.forApplication(shown)
                        app.navigator.open(Destination.LOG_REJECTION, shown)
                    }
                }
            }
            RecordKind.INTERVIEW -> item {
                Action("Debrief: the interviewer's side") {
                    app.entryForm.debrief(shown)
                    app.navigator.open(Destination.WRITE_ENTRY)
                }
            }
            RecordKind.REJECTION, RecordKind.ENTRY -> item {
                Action("A goal from this") { app.navigator.open(Destination.GROWTH, shown) }
            }
            else -> {}
        }
        if (state.linksTo.isNotEmpty()) item { Heading("Belongs to") }
        items(state.linksTo) { link -> LinkRow(app, link) }
        if (state.linkedFrom.isNotEmpty()) item { Heading("Linked here") }
        items(state.linkedFrom) { link -> LinkRow(app, link) }
    }
}

@Composable
private fun LinkRow(app: AppModel, link: Link) {
    val title = link.title ?: "Not on this device yet"
    ListItem(
        headlineContent = { Text(title) },
        supportingContent = { Text(link.kind?.let(::recordKindLabel) ?: link.rel) },
        modifier = Modifier
            .clickable(onClickLabel = "Open") { app.navigator.open(Destination.DETAIL, link.id) }
            .semantics { contentDescription = "${link.kind?.let(::recordKindLabel) ?: link.rel}: $title" },
    )
}
