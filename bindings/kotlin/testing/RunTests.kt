package app.onward.testing

import java.util.concurrent.atomic.AtomicInteger

// A small test runner for a plain JVM (no JUnit here), shared by the bindings' tests and
// the phone apps' model tests: each test is a function, a thrown assertion fails it, and
// so does an exception nobody caught on another thread or in a coroutine meanwhile.

/** A named test. */
typealias Test = Pair<String, () -> Unit>

/**
 * Exceptions nobody caught: on any thread (the default handler [runTests] installs) and
 * in coroutines (the model tests' scopes report theirs here). Each is printed.
 */
object Uncaught {
    private val count = AtomicInteger()

    val total: Int get() = count.get()

    fun record(where: String, e: Throwable) {
        count.incrementAndGet()
        println("UNCAUGHT in $where: $e")
        e.printStackTrace(System.out)
    }
}

/**
 * Runs [tests] in order, printing one line per test, "uncaught exceptions: N" and
 * "[label]: N passed, M failed". A test during which an exception went uncaught fails.
 * Returns the exit status to use: 0 when every test passed and nothing went uncaught.
 */
fun runTests(label: String, tests: List<Test>): Int {
    Thread.setDefaultUncaughtExceptionHandler { thread, e -> Uncaught.record("thread ${thread.name}", e) }
    var passed = 0
    var failed = 0
    for ((name, test) in tests) {
        val uncaughtBefore = Uncaught.total
        try {
            test()
            val uncaught = Uncaught.total - uncaughtBefore
            check(uncaught == 0) { "$uncaught exception(s) went uncaught during the test" }
            passed += 1
            println("PASS $name")
        } catch (e: Throwable) {
            failed += 1
            println("FAIL $name: $e")
            e.printStackTrace(System.out)
        }
    }
    println("uncaught exceptions: ${Uncaught.total}")
    println("$label: $passed passed, $failed failed")
    return if (failed == 0 && Uncaught.total == 0) 0 else 1
}
