package app.onward.model

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.util.Properties

/**
 * The app's own few settings (the lock, the relay address), in a small properties file
 * beside the journal in the app's private storage. Written whole to a temporary file
 * and moved into place, so a crash leaves the old settings or the new, never half.
 */
class SettingsFile(private val path: Path) {
    private val values = Properties().apply {
        if (Files.exists(path)) Files.newInputStream(path).use { load(it) }
    }

    fun get(key: String): String? = synchronized(values) { values.getProperty(key) }

    fun set(key: String, value: String?) = synchronized(values) {
        if (value == null) values.remove(key) else values.setProperty(key, value)
        val temporary = path.resolveSibling(path.fileName.toString() + ".new")
        Files.newOutputStream(temporary).use { values.store(it, "Onward app settings") }
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
    }
}
