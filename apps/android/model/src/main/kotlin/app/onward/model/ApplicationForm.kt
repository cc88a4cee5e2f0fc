package app.onward.model

import app.onward.Application
import app.onward.NewApplication
import app.onward.Source
import java.time.Clock

/** Logging an application: company and role are enough; the rest is optional. */
data class ApplicationFormState(
    val company: String = "",
    val role: String = "",
    val source: Source? = null,
    val excitement: Int? = null,
    /** Applied today (stage "applied"), or only saved for later. */
    val appliedToday: Boolean = true,
    val url: String = "",
    val saved: Application? = null,
    val problem: String? = null,
)

class ApplicationForm(private val store: JournalStore, private val clock: Clock) :
    FormModel<ApplicationFormState>(ApplicationFormState()) {

    /** Logs it; the core checks the fields and names any that don't fit. */
    suspend fun submit(): Result<Application> {
        val s = state.value
        val new = NewApplication(
            company = s.company.trim(),
            role = s.role.trim(),
            appliedAt = if (s.appliedToday) clock.instant() else null,
            source = s.source,
            url = s.url.trim().ifEmpty { null },
            excitement = s.excitement?.toUByte(),
        )
        return store.attempt { it.logApplication(new) }.also { r ->
            r.onSuccess { app -> mutable.value = ApplicationFormState(saved = app) }
                .onFailure { e -> edit { it.copy(problem = e.message) } }
        }
    }
}
