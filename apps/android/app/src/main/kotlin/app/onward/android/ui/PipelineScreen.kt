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
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.onward.model.AppModel
import app.onward.model.Card
import app.onward.model.Destination

/** The board by stage; ended applications below, in the history. */
@Composable
fun PipelineScreen(app: AppModel) {
    val state by app.pipeline.state.collectAsState()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp)) {
        item { Heading("Applications") }
        item { ProblemNote(state.problem) }
        for (column in state.board.filter { it.cards.isNotEmpty() }) {
            item(key = column.stage.name) { Text(column.label, modifier = Modifier.padding(top = 12.dp)) }
            items(column.cards, key = { it.id }) { card -> CardRow(app, card, card.stageLabel) }
        }
        if (state.history.isNotEmpty()) item { Heading("History") }
        items(state.history, key = { "h" + it.id }) { card -> CardRow(app, card, card.outcomeLabel) }
    }
}

@Composable
private fun CardRow(app: AppModel, card: Card, status: String) = ListItem(
    headlineContent = { Text(card.title) },
    supportingContent = { Text(status) },
    modifier = Modifier
        .clickable(onClickLabel = "Open") { app.navigator.open(Destination.DETAIL, card.id) }
        .semantics { contentDescription = "${card.title}, $status" },
)
