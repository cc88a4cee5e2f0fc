package app.onward.model

import app.onward.Entry
import app.onward.EntryKind
import app.onward.NewEntry
import app.onward.Perspective
import app.onward.Prompt
import app.onward.prompts

/** Writing a journal entry with the core's prompts for its kind. */
data class EntryFormState(
    val kind: EntryKind = EntryKind.FREE,
    val intro: String = "",
    val prompts: List<Prompt> = emptyList(),
    /** Prompt id to what was written; empty answers are left out. */
    val answers: Map<String, String> = emptyMap(),
    val body: String = "",
    val perspective: Perspective = Perspective.FIRST,
    val applicationId: String? = null,
    val interviewId: String? = null,
    val rejectionId: String? = null,
    val saved: Entry? = null,
    val problem: String? = null,
)

class EntryForm(private val store: JournalStore) : FormModel<EntryFormState>(EntryFormState()) {

    /** Starts an entry of [kind], with its prompts, linked to what it is about. */
    fun start(
        kind: EntryKind,
        applicationId: String? = null,
        interviewId: String? = null,
        rejectionId: String? = null,
    ) {
        val set = prompts(kind)
        mutable.value = EntryFormState(
            kind = kind,
            intro = set.intro,
            prompts = set.prompts,
            applicationId = applicationId,
            interviewId = interviewId,
            rejectionId = rejectionId,
        )
    }

    /** The debrief after an interview: the interviewer's side of the table. */
    fun debrief(interviewId: String) = start(EntryKind.DEBRIEF, interviewId = interviewId)

    /** A reflection after a no. */
    fun reflect(rejectionId: String) = start(EntryKind.REJECTION_REFLECTION, rejectionId = rejectionId)

    fun answer(promptId: String, text: String) = edit { it.copy(answers = it.answers + (promptId to text)) }

    suspend fun submit(): Result<Entry> {
        val s = state.value
        val answers = s.answers.filterValues { it.isNotBlank() }.mapValues { it.value.trim() }
        if (answers.isEmpty() && s.body.isBlank()) {
            val words = "Write a line, or answer one prompt; that's enough."
            edit { it.copy(problem = words) }
            return Result.failure(Problem(words))
        }
        val new = NewEntry(
            kind = s.kind,
            body = s.body.trim(),
            answers = answers,
            perspective = s.perspective,
            applicationId = s.applicationId,
            interviewId = s.interviewId,
            rejectionId = s.rejectionId,
        )
        return store.attempt { it.writeEntry(new) }
            .onSuccess { e -> edit { it.copy(saved = e, problem = null) } }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }
}
