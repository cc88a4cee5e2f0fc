package app.onward.model

import app.onward.Application
import app.onward.JournalChange
import app.onward.Outcome
import app.onward.RecordKind
import app.onward.Stage
import app.onward.outcomeLabel
import app.onward.stageLabel
import app.onward.stages

/**
 * The pipeline: open applications on a board by stage; ended ones (a no, silence, an
 * offer) leave the board and stay in [history].
 */
data class PipelineState(
    val loading: Boolean = true,
    val board: List<Column> = emptyList(),
    val history: List<Card> = emptyList(),
    val problem: String? = null,
)

/** One stage's column on the board. */
data class Column(val stage: Stage, val label: String, val cards: List<Card>)

/** An application as the board shows it; [title] is the core's name for it. */
data class Card(
    val id: String,
    val title: String,
    val stage: Stage,
    val outcome: Outcome,
    val stageLabel: String,
    val outcomeLabel: String,
    /** Stages it can move on to (the core's rule). */
    val nextStages: List<Stage>,
)

class PipelineModel(private val store: JournalStore) : ScreenModel<PipelineState>(PipelineState()) {
    private val watched = setOf(RecordKind.APPLICATION, RecordKind.REJECTION)

    override fun shows(change: JournalChange) = change.touches(watched)

    override suspend fun refresh() {
        store.attempt { it.applications(false) }
            .onSuccess { apps ->
                val cards = apps.map(::card)
                val open = cards.filter { it.outcome == Outcome.OPEN }
                mutable.value = PipelineState(
                    loading = false,
                    board = stages().map { stage -> Column(stage, stageLabel(stage), open.filter { it.stage == stage }) },
                    history = cards.filter { it.outcome != Outcome.OPEN },
                )
            }.onFailure { mutable.value = mutable.value.copy(loading = false, problem = it.message) }
    }

    /** Moves an application on to [stage]; the history keeps the step. */
    suspend fun moveStage(id: String, stage: Stage): Result<Application> =
        store.attempt { it.moveStage(id, stage, null) }.also { r -> r.onFailure(::show) }

    /** Records how it ended, or reopens it with [Outcome.OPEN] (a late reply). */
    suspend fun setOutcome(id: String, outcome: Outcome): Result<Application> =
        store.attempt { it.setOutcome(id, outcome, null) }.also { r -> r.onFailure(::show) }

    private fun show(e: Throwable) {
        mutable.value = mutable.value.copy(problem = e.message)
    }

    private fun card(a: Application) = Card(
        id = a.meta.id,
        title = a.title,
        stage = a.stage,
        outcome = a.outcome,
        stageLabel = stageLabel(a.stage),
        outcomeLabel = outcomeLabel(a.outcome),
        nextStages = a.nextStages,
    )
}
