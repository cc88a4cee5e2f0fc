package app.onward.model

import app.onward.Interview
import app.onward.InterviewKind
import app.onward.NewInterview
import java.time.Instant

/** Logging an interview; afterwards the debrief is offered (interviewer's shoes). */
data class InterviewFormState(
    val applicationId: String? = null,
    val kind: InterviewKind = InterviewKind.PHONE,
    val at: Instant? = null,
    /** One name per line: new people become contacts. */
    val interviewers: String = "",
    /** One question per line. */
    val questions: String = "",
    val selfRating: Int? = null,
    val saved: Interview? = null,
    val problem: String? = null,
)

class InterviewForm(private val store: JournalStore) : FormModel<InterviewFormState>(InterviewFormState()) {

    /** Starts the form for one application (from its card or detail). */
    fun forApplication(id: String) = edit { InterviewFormState(applicationId = id) }

    suspend fun submit(): Result<Interview> {
        val s = state.value
        val application = s.applicationId
            ?: return fail("Pick the application this interview was for.")
        val at = s.at ?: return fail("When was it? Pick a day and time.")
        val new = NewInterview(
            applicationId = application,
            kind = s.kind,
            scheduledAt = at,
            interviewers = lines(s.interviewers),
            questions = lines(s.questions),
            selfRating = s.selfRating?.toUByte(),
        )
        return store.attempt { it.logInterview(new) }.also { r ->
            r.onSuccess { saved -> edit { InterviewFormState(applicationId = it.applicationId, saved = saved) } }
                .onFailure { e -> edit { it.copy(problem = e.message) } }
        }
    }

    private fun fail(words: String): Result<Interview> {
        edit { it.copy(problem = words) }
        return Result.failure(Problem(words))
    }
}

/** The non-empty lines of a text field. */
internal fun lines(text: String): List<String> = text.lines().map { it.trim() }.filter { it.isNotEmpty() }
