package app.onward.model

import app.onward.ActivityCategory
import app.onward.Channel
import app.onward.EntryKind
import app.onward.GoalKind
import app.onward.InterviewKind
import app.onward.OnwardException
import app.onward.Outcome
import app.onward.Reason
import app.onward.RecordKind
import app.onward.Source
import app.onward.Stage

/**
 * The words the apps show that are not the core's own (its prompts, reminder titles,
 * next steps and drafts come through the bindings): names for the journal's
 * vocabularies and our way of saying something did not work.
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

    fun stage(s: Stage): String = when (s) {
        Stage.SAVED -> "Saved"
        Stage.APPLIED -> "Applied"
        Stage.SCREENING -> "Screening"
        Stage.INTERVIEWING -> "Interviewing"
        Stage.FINAL -> "Final round"
        Stage.OFFER -> "Offer"
    }

    /** How an application ended; never "failed". */
    fun outcome(o: Outcome): String = when (o) {
        Outcome.OPEN -> "Still open"
        Outcome.REJECTED -> "Closed: a no this time"
        Outcome.WITHDRAWN -> "You stepped away"
        Outcome.NO_RESPONSE -> "No answer came"
        Outcome.OFFER_DECLINED -> "You said no to an offer"
        Outcome.HIRED -> "Hired"
    }

    fun interviewKind(k: InterviewKind): String = when (k) {
        InterviewKind.RECRUITER_SCREEN -> "Recruiter screen"
        InterviewKind.PHONE -> "Phone"
        InterviewKind.TECHNICAL -> "Technical"
        InterviewKind.TAKE_HOME -> "Take-home"
        InterviewKind.PANEL -> "Panel"
        InterviewKind.HIRING_MANAGER -> "Hiring manager"
        InterviewKind.FINAL -> "Final"
    }

    fun entryKind(k: EntryKind): String = when (k) {
        EntryKind.FREE -> "Free writing"
        EntryKind.REJECTION_REFLECTION -> "After a no"
        EntryKind.DEBRIEF -> "Interview debrief"
        EntryKind.EXPRESSIVE -> "Let it out"
        EntryKind.GRATITUDE -> "Gratitude"
        EntryKind.WEEKLY_REVIEW -> "Weekly review"
        EntryKind.LEARNING_LOG -> "Learning log"
    }

    fun activity(c: ActivityCategory): String = when (c) {
        ActivityCategory.SOCIAL -> "With someone"
        ActivityCategory.LEISURE -> "Something fun"
        ActivityCategory.CREATIVE -> "Make something"
        ActivityCategory.PHYSICAL -> "Move"
        ActivityCategory.REST -> "Rest"
        ActivityCategory.LEARNING -> "Learn something"
    }

    fun goalKind(k: GoalKind): String = when (k) {
        GoalKind.COURSE -> "Course"
        GoalKind.SKILL -> "Skill"
        GoalKind.NETWORKING -> "People"
        GoalKind.PROJECT -> "Project"
        GoalKind.CERTIFICATION -> "Certificate"
        GoalKind.OPPORTUNITY -> "Opportunity"
    }

    fun source(s: Source): String = when (s) {
        Source.REFERRAL -> "Referral"
        Source.JOB_BOARD -> "Job board"
        Source.COMPANY_SITE -> "Company site"
        Source.RECRUITER -> "Recruiter"
        Source.NETWORK -> "Network"
        Source.OTHER -> "Other"
    }

    fun channel(c: Channel): String = when (c) {
        Channel.EMAIL -> "Email"
        Channel.PHONE -> "Phone"
        Channel.PORTAL -> "Portal"
        Channel.IN_PERSON -> "In person"
        Channel.SILENCE -> "Silence"
    }

    /** The reason a company gave; most give none, and that is normal. */
    fun reason(r: Reason): String = when (r) {
        Reason.NONE -> "No reason given"
        Reason.STRONGER_CANDIDATE -> "Someone else fit closer"
        Reason.INTERNAL_CANDIDATE -> "An internal candidate"
        Reason.ROLE_CLOSED -> "The role closed"
        Reason.EXPERIENCE_LEVEL -> "Experience level"
        Reason.SKILLS_GAP -> "A skills gap"
        Reason.LOCATION_VISA -> "Location or visa"
        Reason.COMPENSATION -> "Compensation"
        Reason.OTHER -> "Something else"
    }

    fun kind(k: RecordKind): String = when (k) {
        RecordKind.APPLICATION -> "Application"
        RecordKind.INTERVIEW -> "Interview"
        RecordKind.CONTACT -> "Person"
        RecordKind.REJECTION -> "A no"
        RecordKind.MESSAGE -> "Note"
        RecordKind.ENTRY -> "Journal entry"
        RecordKind.MOOD -> "Check-in"
        RecordKind.ACTIVITY -> "Stepping back"
        RecordKind.GOAL -> "Goal"
    }

    /** The five faces of a check-in, 1 (heavy) to 5 (bright). */
    val moods: List<String> = listOf("Heavy", "Low", "Okay", "Good", "Bright")
}
