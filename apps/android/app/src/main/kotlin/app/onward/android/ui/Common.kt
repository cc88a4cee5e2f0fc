package app.onward.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.moodFaces

/** A screen's title, announced as a heading. */
@Composable
fun Heading(text: String) = Text(
    text,
    style = MaterialTheme.typography.headlineSmall,
    modifier = Modifier.padding(vertical = 8.dp).semantics { heading() },
)

/** What didn't work, in the model's words; read out when it appears. */
@Composable
fun ProblemNote(problem: String?) {
    if (problem != null) {
        Text(
            problem,
            color = MaterialTheme.colorScheme.error,
            modifier = Modifier.padding(vertical = 4.dp).semantics { liveRegion = LiveRegionMode.Polite },
        )
    }
}

/** A labelled text field; the label is what screen readers say. */
@Composable
fun Field(label: String, value: String, onChange: (String) -> Unit, lines: Int = 1) = OutlinedTextField(
    value = value,
    onValueChange = onChange,
    label = { Text(label) },
    minLines = lines,
    modifier = Modifier.fillMaxWidth().semantics { contentDescription = label },
)

/** A button whose action is described to screen readers as [description]. */
@Composable
fun Action(text: String, description: String = text, onClick: () -> Unit) = Button(
    onClick = onClick,
    modifier = Modifier.semantics { contentDescription = description },
) { Text(text) }

/** One chip per choice, the chosen one marked; they wrap onto more lines. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun <T> Choices(label: String, options: List<T>, chosen: T?, name: (T) -> String, onChoose: (T) -> Unit) {
    Text(label, style = MaterialTheme.typography.labelLarge)
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        for (option in options) {
            FilterChip(
                selected = option == chosen,
                onClick = { onChoose(option) },
                label = { Text(name(option)) },
                modifier = Modifier.semantics { contentDescription = "$label: ${name(option)}" },
            )
        }
    }
}

/** The five faces of a check-in, 1 (heavy) to 5 (bright). */
@Composable
fun MoodFaces(label: String, chosen: Int?, onChoose: (Int) -> Unit) =
    Choices(label, (1..5).toList(), chosen, { moodFaces()[it - 1] }, onChoose)

@Composable
fun Opening() = Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
    CircularProgressIndicator(Modifier.semantics { contentDescription = "Opening your journal" })
}

/** Shown while the lock is on. */
@Composable
fun LockedScreen(note: String?, unlock: () -> Unit) =
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.Center) {
        Heading("Your journal is locked")
        ProblemNote(note)
        Action("Unlock", "Unlock with your fingerprint, face or screen lock", unlock)
    }
