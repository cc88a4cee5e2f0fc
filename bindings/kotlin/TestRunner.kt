// Runs the bindings' Kotlin tests on a plain JVM (runner in testing/RunTests.kt).

import app.onward.testing.runTests
import kotlin.system.exitProcess

fun main() {
    exitProcess(runTests("Kotlin", journeyTests + clockTests + rulesTableTests + syncTests))
}
