package app.onward.android.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel
import app.onward.model.Bar
import app.onward.model.Point

/** The big picture: effort per week, how far applications went, mood over time. */
@Composable
fun InsightsScreen(app: AppModel) {
    val s by app.insights.state.collectAsState()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { Heading("The big picture") }
        item { ProblemNote(s.problem) }
        item { Text("Small steps each week: every one counts.") }
        item { Bars(s.effort, MaterialTheme.colorScheme.primary) }
        if (s.streakDays > 0) item { Text("${s.streakDays} days in a row with a step.") }
        item { Text("How far applications went") }
        item { Bars(s.funnel, MaterialTheme.colorScheme.secondary) }
        item { Text("Mood over the weeks") }
        item { MoodLine(s.mood, MaterialTheme.colorScheme.primary) }
    }
}

/** A bar chart; screen readers hear each bar's sentence. */
@Composable
private fun Bars(bars: List<Bar>, color: Color) {
    val top = (bars.maxOfOrNull { it.value } ?: 0L).coerceAtLeast(1L)
    Canvas(
        Modifier.fillMaxWidth().height(120.dp).semantics {
            contentDescription = bars.joinToString(". ") { it.spoken }
        },
    ) {
        if (bars.isEmpty()) return@Canvas
        val slot = size.width / bars.size
        bars.forEachIndexed { i, bar ->
            val h = size.height * bar.value / top
            drawRect(color, topLeft = Offset(i * slot + slot * 0.15f, size.height - h), size = Size(slot * 0.7f, h))
        }
    }
}

/** Mood per week, 1 to 5; weeks without a check-in are gaps. */
@Composable
private fun MoodLine(points: List<Point>, color: Color) {
    val said = points.filter { it.value != null }.joinToString(". ") { "${it.label}: %.1f of 5".format(it.value) }
    Canvas(
        Modifier.fillMaxWidth().height(100.dp).semantics {
            contentDescription = said.ifEmpty { "No check-ins in these weeks yet." }
        },
    ) {
        if (points.isEmpty()) return@Canvas
        val step = size.width / points.size
        var last: Offset? = null
        points.forEachIndexed { i, p ->
            val v = p.value
            if (v == null) {
                last = null
            } else {
                val here = Offset(i * step + step / 2, size.height * (1f - ((v.toFloat() - 1f) / 4f)))
                last?.let { drawLine(color, it, here, strokeWidth = 4f) }
                drawCircle(color, radius = 6f, center = here)
                last = here
            }
        }
    }
}
