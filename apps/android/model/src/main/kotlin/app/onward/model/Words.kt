package app.onward.model

import app.onward.OnwardException

/**
 * The words the app shows that are not the core's own: our way of saying something did
 * not work. Everything else (prompts, reminder titles and notices, next steps, drafts,
 * titles, the names of stages, kinds and reasons) comes from the core through the
 * bindings.
 */
object Words {
    private val WHOLE_SENTENCES = setOf("invitation", "recovery_kit")

    /** A journal error as a short, kind sentence that says what to do next. */
    fun problem(e: OnwardException): String = when (e) {
        // The core's words about a code or a kit are whole sentences that say what to do.
        is OnwardException.InvalidInput -> if (e.field in WHOLE_SENTENCES) {
            e.reason.replaceFirstChar { it.uppercase() }
        } else {
            "That didn't fit (${e.field}: ${e.reason}). Change it and try again."
        }
        is OnwardException.NotFound -> "That one isn't in your journal any more. Pull to refresh and pick again."
        is OnwardException.CorruptJournal ->
            "This journal file can't be opened, and it was left exactly as it is. Keep it, and start a new journal for now."
        is OnwardException.Storage -> "Saving didn't work just now; nothing was half-saved. Try again in a moment."
        is OnwardException.Sync -> e.detail
        is OnwardException.Internal -> "Something went wrong on our side; your journal is fine. Try again, and tell us if it repeats."
    }
}
