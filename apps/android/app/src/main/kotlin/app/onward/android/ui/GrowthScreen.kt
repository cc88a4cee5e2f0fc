package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.LinearProgressIndicator
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
import app.onward.GoalKind
import app.onward.goalKindLabel
import app.onward.model.AppModel
import kotlinx.coroutines.launch

/** Moving forward: goals, maybe grown from a feedback point or a reflection. */
@Composable
fun GrowthScreen(app: AppModel, originId: String?) {
    val model = app.growth
    LaunchedEffect(originId) { if (originId != null) model.from(originId) }
    val s by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Heading("Move forward") }
        s.originTitle?.let { item { Text("Growing from: $it") } }
        item { Choices("Kind", GoalKind.entries, s.kind, ::goalKindLabel) { v -> model.edit { it.copy(kind = v) } } }
        item { Field("A next step for you", s.title, { t -> model.edit { it.copy(title = t) } }) }
        item { ProblemNote(s.problem) }
        item { Action("Add") { scope.launch { model.add() } } }
        items(s.goals, key = { it.meta.id }) { goal ->
            ListItem(
                headlineContent = { Text(goal.title) },
                supportingContent = {
                    LinearProgressIndicator(
                        progress = { goal.progress.toFloat() / 100f },
                        modifier = Modifier.semantics { contentDescription = "Progress on ${goal.title}: ${goal.progress} percent" },
                    )
                    Action("A step further", "Add ten percent to ${goal.title}") {
                        scope.launch { model.progress(goal.meta.id, (goal.progress.toInt() + 10).coerceAtMost(100)) }
                    }
                },
            )
        }
    }
}
