package app.onward.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.recordKindLabel
import kotlinx.coroutines.launch

/** Search everything written; a hit opens its record. */
@Composable
fun SearchScreen(app: AppModel) {
    val s by app.search.state.collectAsState()
    var typed by remember { mutableStateOf(s.query) }
    val scope = rememberCoroutineScope()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp)) {
        item {
            Field("Search your journal", typed, { t ->
                typed = t
                scope.launch { app.search.search(t) }
            })
        }
        item { ProblemNote(s.problem) }
        if (s.searched && s.hits.isEmpty()) item { Text("Nothing with those words yet.") }
        items(s.hits, key = { it.row.id }) { hit ->
            // The core marks matches with [ ]; shown as they are, read without them.
            ListItem(
                headlineContent = { Text(hit.row.title) },
                supportingContent = { Text(hit.snippet) },
                modifier = Modifier
                    .clickable(onClickLabel = "Open") { app.navigator.open(Destination.DETAIL, hit.row.id) }
                    .semantics {
                        contentDescription = "${recordKindLabel(hit.row.kind)}: ${hit.row.title}. ${hit.snippet.replace("[", "").replace("]", "")}"
                    },
            )
        }
    }
}
