package app.onward.testing

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant

// The shared table of rule cases (tests/cases/rules.json; its README says what each
// field means), read by the Kotlin bindings' tests and the Kotlin model's tests as the
// CLI's and Python's tests read it: same journal, clock and zone, same answers.

/** A journal at one instant, and what Today and the notifier answer there. */
data class RuleCase(
    val name: String,
    val zone: String,
    val now: Instant,
    val applications: List<LoggedApplication>,
    val posted: List<PostedBefore>,
    val today: TodayAnswer,
    val notify: NotifyAnswer,
)

data class LoggedApplication(val company: String, val role: String, val appliedAt: Instant)

/** A notice posted before, for the follow-up of [application] (an index). */
data class PostedBefore(val application: Int, val at: Instant)

/** [reminders]: the follow-ups shown, as application indices, in order. */
data class TodayAnswer(val greeting: String, val reminders: List<Int>, val more: Int)

/** [notices]: application indices, in order; [nextCheck] null means "not checked here". */
data class NotifyAnswer(val notices: List<Int>, val nextCheck: Instant?)

/** Stages and outcomes in their stored spellings ("final", "no_response"). */
data class StagesAfterRow(val stage: String, val outcome: String, val next: List<String>)

data class TitleRow(val role: String, val company: String, val title: String)

data class LabelRow(val vocabulary: String, val value: String, val label: String)

class RulesTable(
    val cases: List<RuleCase>,
    val stagesAfter: List<StagesAfterRow>,
    val titles: List<TitleRow>,
    val labels: List<LabelRow>,
) {
    companion object {
        /** The table, from the repository root (where the runners start). */
        fun load(path: Path = Path.of("tests/cases/rules.json")): RulesTable {
            val json = parseJson(Files.readString(path)) as Map<*, *>
            return RulesTable(
                cases = rows(json, "cases").map(::ruleCase),
                stagesAfter = rows(json, "stages_after").map {
                    StagesAfterRow(it.str("stage"), it.str("outcome"), (it["next"] as List<*>).map { s -> s as String })
                },
                titles = rows(json, "titles").map { TitleRow(it.str("role"), it.str("company"), it.str("title")) },
                labels = rows(json, "labels").map { LabelRow(it.str("vocabulary"), it.str("value"), it.str("label")) },
            )
        }

        private fun ruleCase(c: Map<*, *>): RuleCase {
            val today = c["today"] as Map<*, *>
            val notify = c["notify"] as Map<*, *>
            return RuleCase(
                name = c.str("name"),
                zone = c.str("zone"),
                now = Instant.parse(c.str("now")),
                applications = rows(c, "applications").map {
                    LoggedApplication(it.str("company"), it.str("role"), Instant.parse(it.str("applied_at")))
                },
                posted = rows(c, "posted").map { PostedBefore(it.int("application"), Instant.parse(it.str("at"))) },
                today = TodayAnswer(today.str("greeting"), today.ints("reminders"), today.int("more")),
                notify = NotifyAnswer(notify.ints("notices"), (notify["next_check"] as String?)?.let(Instant::parse)),
            )
        }

        private fun rows(m: Map<*, *>, key: String): List<Map<*, *>> = (m[key] as List<*>).map { it as Map<*, *> }
        private fun Map<*, *>.str(key: String) = this[key] as String
        private fun Map<*, *>.int(key: String) = (this[key] as Number).toInt()
        private fun Map<*, *>.ints(key: String) = (this[key] as List<*>).map { (it as Number).toInt() }
    }
}
