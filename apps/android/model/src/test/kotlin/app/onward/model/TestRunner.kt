package app.onward.model

import kotlin.system.exitProcess

// A small runner for a plain JVM (no JUnit here): each test is a function; a thrown
// assertion fails it. Prints one line per test and "Kotlin model: N passed, M failed",
// and exits nonzero when any test failed.
fun main() {
    var passed = 0
    var failed = 0
    for ((name, test) in flowTests + syncTests) {
        try {
            test()
            passed += 1
            println("PASS $name")
        } catch (e: Throwable) {
            failed += 1
            println("FAIL $name: $e")
            e.printStackTrace(System.out)
        }
    }
    removeScratch()
    println("Kotlin model: $passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
