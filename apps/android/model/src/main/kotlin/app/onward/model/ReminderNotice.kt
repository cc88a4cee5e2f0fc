package app.onward.model

import app.onward.Reminder
import app.onward.ReminderRule

/**
 * The text of a system notification for a reminder. Notifications show on a lock
 * screen, so they never name a company or a role: only what kind of small step is due.
 * The full reminder (the core's title) shows inside the app.
 */
data class Notice(val title: String, val text: String)

object ReminderNotice {
    fun of(reminder: Reminder): Notice = when (reminder.rule) {
        ReminderRule.FOLLOW_UP -> Notice("A gentle follow-up", "One of your applications could use a short hello.")
        ReminderRule.NEXT_ACTION -> Notice("A next step you planned", "It's the day you picked. Open Onward when it suits you.")
        ReminderRule.DEBRIEF -> Notice("A debrief while it's fresh", "A few lines about today's interview help later.")
        ReminderRule.THANK_YOU -> Notice("A thank-you note?", "A short thanks leaves a good memory. A draft is waiting.")
        ReminderRule.CHECK_IN -> Notice("How are you doing?", "One tap is enough for a check-in.")
        ReminderRule.STEP_BACK -> Notice("Time to step back", "Something restorative today? Anything counts.")
        ReminderRule.WEEKLY_REVIEW -> Notice("Your week, in a few lines", "A quick look back at the small steps you took.")
    }
}
