package app.onward.model

import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.io.path.readText

/**
 * A real onward-relay on 127.0.0.1 with a temporary database (the binary named by
 * ONWARD_RELAY, which run-tests builds). Every wait is bounded; [close] stops it.
 */
class Relay : AutoCloseable {
    private val dir: Path = scratchDir("onward-relay")
    private val process: Process
    val url: String

    init {
        val binary = System.getenv("ONWARD_RELAY")
            ?: error("ONWARD_RELAY names no relay binary: run apps/android/model/run-tests")
        process = ProcessBuilder(binary, "--listen", "127.0.0.1:0", "--db", dir.resolve("relay.db").toString())
            .redirectError(dir.resolve("relay.log").toFile())
            .start()
        val line = try {
            CompletableFuture.supplyAsync { process.inputStream.bufferedReader().readLine() }.get(20, TimeUnit.SECONDS)
        } catch (e: Exception) {
            process.destroyForcibly()
            throw IllegalStateException("the relay did not say where it listens: ${dir.resolve("relay.log").readText()}", e)
        }
        url = line?.substringAfter("onward-relay listening on ", "")?.takeIf { it.startsWith("http://127.0.0.1:") }
            ?: run {
                process.destroyForcibly()
                error("unexpected first line from the relay: $line")
            }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
