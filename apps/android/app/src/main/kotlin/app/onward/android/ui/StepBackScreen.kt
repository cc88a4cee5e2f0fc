package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.onward.ActivityCategory
import app.onward.activityCategoryLabel
import app.onward.model.AppModel
import app.onward.moodFaces
import kotlinx.coroutines.launch

/** Stepping back: how you feel before, what you do, how you feel after. */
@Composable
fun StepBackScreen(app: AppModel) {
    val model = app.stepBack
    val s by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Heading("Step back for a while") }
        item { Choices("What kind", ActivityCategory.entries, s.category, ::activityCategoryLabel) { v -> model.edit { it.copy(category = v) } } }
        item { Field("What you'll do", s.description, { t -> model.edit { it.copy(description = t) } }) }
        item { MoodFaces("How do you feel before?", s.moodBefore) { v -> model.edit { it.copy(moodBefore = v) } } }
        item { ProblemNote(s.problem) }
        item { Action("Start") { scope.launch { model.start() } } }
        if (s.underway.isNotEmpty()) item { Heading("Underway") }
        items(s.underway, key = { it.meta.id }) { a ->
            ListItem(
                headlineContent = { Text(a.description) },
                supportingContent = {
                    MoodFaces("Done? How do you feel now?", null) { v -> scope.launch { model.finish(a.meta.id, v) } }
                },
            )
        }
        if (s.done.isNotEmpty()) item { Heading("Done lately") }
        items(s.done, key = { it.meta.id }) { a ->
            val change = listOfNotNull(a.moodBefore, a.moodAfter).joinToString(" → ") { moodFaces()[it.toInt() - 1] }
            ListItem(headlineContent = { Text(a.description) }, supportingContent = { Text(change) })
        }
    }
}
