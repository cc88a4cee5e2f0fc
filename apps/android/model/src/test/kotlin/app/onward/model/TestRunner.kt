package app.onward.model

import app.onward.testing.runTests
import kotlin.system.exitProcess

// Runs the model layer's tests on a plain JVM with the runner the bindings' tests use
// (bindings/kotlin/testing/RunTests.kt: an exception uncaught on any thread or in the
// app's coroutines fails the run), then removes the tests' scratch directories.
fun main() {
    val status = runTests("Kotlin model", flowTests + notifierTests + rulesTableTests + syncTests)
    removeScratch()
    exitProcess(status)
}
