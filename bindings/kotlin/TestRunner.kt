// A small test runner for a plain JVM (no JUnit here): each test is a function; a
// thrown assertion fails it. Prints one line per test and "Kotlin: N passed, M failed",
// and exits nonzero when any test failed.

import kotlin.system.exitProcess

fun main() {
    var passed = 0
    var failed = 0
    for ((name, test) in journeyTests + syncTests) {
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
    println("Kotlin: $passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
