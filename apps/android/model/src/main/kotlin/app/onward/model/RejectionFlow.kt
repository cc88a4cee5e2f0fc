package app.onward.model

import app.onward.Activity
import app.onward.Channel
import app.onward.Message
import app.onward.MessageKind
import app.onward.Mood
import app.onward.NewActivity
import app.onward.NewMood
import app.onward.NewRejection
import app.onward.NextSteps
import app.onward.Reason
import app.onward.Rejection
import java.time.Clock
import java.time.Duration

/** The small steps offered right after a no, in the order shown. */
enum class NextStep { CHECK_IN, STEP_BACK, THANK_YOU, FEEDBACK }

/** Where one step stands. Skipping is always fine. */
enum class StepState { OFFERED, DONE, SKIPPED }

/**
 * Logging a no, then the next steps offered right there: a two-tap check-in (pick a
 * face, save), one restorative idea, a thank-you draft and a feedback request, each
 * filled by the core and each skippable. Nothing here is called a failure.
 */
data class RejectionState(
    val applicationId: String? = null,
    val reason: Reason = Reason.NONE,
    val channel: Channel? = null,
    val messageText: String = "",
    val rejection: Rejection? = null,
    /** The core's words: the check-in question, the idea, the two drafts. */
    val offered: NextSteps? = null,
    val steps: Map<NextStep, StepState> = emptyMap(),
    val pickedMood: Int? = null,
    val thankYouText: String = "",
    val feedbackText: String = "",
    val mood: Mood? = null,
    val plannedStepBack: Activity? = null,
    val thankYou: Message? = null,
    val feedbackRequest: Message? = null,
    val problem: String? = null,
) {
    /** Every step was done or skipped. */
    val finished: Boolean get() = rejection != null && steps.values.none { it == StepState.OFFERED }
}

class RejectionFlow(private val store: JournalStore, private val clock: Clock) :
    FormModel<RejectionState>(RejectionState()) {

    fun forApplication(id: String) = edit { RejectionState(applicationId = id) }

    /** Logs the no; the next steps appear with the core's drafts. */
    suspend fun log(): Result<Rejection> {
        val s = state.value
        val application = s.applicationId ?: return fail("Pick the application this answer was for.")
        val new = NewRejection(
            applicationId = application,
            reason = s.reason,
            channel = s.channel,
            messageText = s.messageText,
        )
        return store.attempt { it.logRejection(new) }.map { logged ->
            edit {
                it.copy(
                    rejection = logged.rejection,
                    offered = logged.nextSteps,
                    steps = NextStep.entries.associateWith { StepState.OFFERED },
                    thankYouText = logged.nextSteps.thankYouDraft,
                    feedbackText = logged.nextSteps.feedbackRequestDraft,
                    problem = null,
                )
            }
            logged.rejection
        }.onFailure { e -> edit { it.copy(problem = e.message) } }
    }

    /** First tap of the check-in: a face, 1 (heavy) to 5 (bright). */
    fun pickMood(valence: Int) = edit { it.copy(pickedMood = valence) }

    /** Second tap: saves the check-in, linked to this no. */
    suspend fun saveCheckIn(): Result<Mood> {
        val s = state.value
        val rejection = s.rejection ?: return fail("Log the answer first.")
        val valence = s.pickedMood ?: return fail("Pick the face closest to how you feel.")
        return store.attempt {
            it.logMood(NewMood(valence = valence.toUByte(), rejectionId = rejection.meta.id))
        }.onSuccess { mood -> settle(NextStep.CHECK_IN, StepState.DONE) { it.copy(mood = mood) } }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }

    /** Plans the core's restorative idea for tomorrow. */
    suspend fun planStepBack(): Result<Activity> {
        val idea = state.value.offered?.stepBack ?: return fail("Log the answer first.")
        val new = NewActivity(
            category = idea.category,
            description = idea.text,
            plannedFor = clock.instant().plus(Duration.ofDays(1)),
        )
        return store.attempt { it.logActivity(new) }
            .onSuccess { a -> settle(NextStep.STEP_BACK, StepState.DONE) { it.copy(plannedStepBack = a) } }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }

    /** Keeps the thank-you note (as edited) as a draft to send. */
    suspend fun saveThankYou(): Result<Message> = draft(MessageKind.THANK_YOU, state.value.thankYouText, NextStep.THANK_YOU)

    /** Keeps the feedback request (as edited) as a draft to send. */
    suspend fun saveFeedbackRequest(): Result<Message> =
        draft(MessageKind.FEEDBACK_REQUEST, state.value.feedbackText, NextStep.FEEDBACK)

    /** Not now: the step is set aside, nothing is written. */
    fun skip(step: NextStep) = settle(step, StepState.SKIPPED)

    private suspend fun draft(kind: MessageKind, body: String, step: NextStep): Result<Message> {
        val rejection = state.value.rejection ?: return fail("Log the answer first.")
        return store.attempt { it.draftMessage(kind, rejection.applicationId, body) }
            .onSuccess { m ->
                settle(step, StepState.DONE) { if (kind == MessageKind.THANK_YOU) it.copy(thankYou = m) else it.copy(feedbackRequest = m) }
            }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }

    /** Settles an offered step as [how], with what it wrote. */
    private fun settle(step: NextStep, how: StepState, also: (RejectionState) -> RejectionState = { it }) = edit {
        if (it.steps[step] != StepState.OFFERED) it else also(it.copy(steps = it.steps + (step to how), problem = null))
    }

    private fun <T> fail(words: String): Result<T> {
        edit { it.copy(problem = words) }
        return Result.failure(Problem(words))
    }
}
