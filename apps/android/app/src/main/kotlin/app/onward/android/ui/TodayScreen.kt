package app.onward.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.recordKindLabel
import kotlinx.coroutines.launch

/** Today: a check-in, what's due (done or later), the quick-log buttons, lately. */
@Composable
fun TodayScreen(app: AppModel) {
    val state by app.today.state.collectAsState()
    val scope = rememberCoroutineScope()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Heading("Today") }
        if (state.greeting.isNotEmpty()) item { Text(state.greeting) }
        item { ProblemNote(state.problem) }
        item {
            MoodFaces("How are you right now?", state.checkedInValence) { v -> scope.launch { app.today.checkIn(v) } }
        }
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                for (quick in state.quickLogs.take(3)) {
                    OutlinedButton(
                        onClick = { app.navigator.open(quick.destination) },
                        modifier = Modifier.semantics { contentDescription = quick.label },
                    ) { Text(quick.label) }
                }
            }
        }
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                for (quick in state.quickLogs.drop(3)) {
                    OutlinedButton(
                        onClick = { app.navigator.open(quick.destination) },
                        modifier = Modifier.semantics { contentDescription = quick.label },
                    ) { Text(quick.label) }
                }
            }
        }
        if (state.reminders.isNotEmpty()) item { Heading("Small steps waiting") }
        items(state.reminders, key = { it.key }) { r ->
            ListItem(
                headlineContent = { Text(r.title) },
                trailingContent = {
                    Row {
                        TextButton(
                            onClick = { scope.launch { app.today.done(r.key) } },
                            modifier = Modifier.semantics { contentDescription = "Done: ${r.title}" },
                        ) { Text("Done") }
                        TextButton(
                            onClick = { scope.launch { app.today.snooze(r.key) } },
                            modifier = Modifier.semantics { contentDescription = "Tomorrow: ${r.title}" },
                        ) { Text("Tomorrow") }
                    }
                },
            )
        }
        if (state.more > 0) item { Text("${state.more} more waiting, no rush.") }
        if (state.recent.isNotEmpty()) item { Heading("Lately") }
        items(state.recent, key = { it.id }) { row ->
            ListItem(
                headlineContent = { Text(row.title) },
                supportingContent = { Text(recordKindLabel(row.kind)) },
                modifier = Modifier
                    .clickable(onClickLabel = "Open") { app.navigator.open(Destination.DETAIL, row.id) }
                    .semantics { contentDescription = "${recordKindLabel(row.kind)}: ${row.title}" },
            )
        }
    }
}
