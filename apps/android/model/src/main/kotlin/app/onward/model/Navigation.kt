package app.onward.model

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow

/** Every screen of the app. */
enum class Destination(val title: String) {
    TODAY("Today"),
    PIPELINE("Applications"),
    SEARCH("Search"),
    INSIGHTS("The big picture"),
    SYNC("Your devices"),
    LOG_APPLICATION("Log an application"),
    LOG_INTERVIEW("Log an interview"),
    LOG_REJECTION("Log a no"),
    WRITE_ENTRY("Write"),
    STEP_BACK("Step back"),
    GROWTH("Move forward"),
    DETAIL("Details"),
    SETTINGS("Settings"),
}

/** Where the app is: [destination] with the record it is about, if any. */
data class Route(val destination: Destination, val id: String? = null)

/**
 * The back stack. The tabs (one tap from anywhere) and Today's quick-log buttons (one
 * tap from Today) keep every flow within three taps of the first screen.
 */
class Navigator {
    private val stack = MutableStateFlow(listOf(Route(Destination.TODAY)))

    /** The screens open, the current one last. */
    val routes: StateFlow<List<Route>> = stack

    val current: Route get() = stack.value.last()

    /** Goes to a tab: the stack starts again from it. */
    fun tab(destination: Destination) {
        require(destination in TABS) { "$destination is not a tab" }
        stack.value = listOf(Route(destination))
    }

    /** Opens a screen on top of the current one. */
    fun open(destination: Destination, id: String? = null) {
        stack.value = stack.value + Route(destination, id)
    }

    /** Back one screen; false when already on the first. */
    fun back(): Boolean {
        if (stack.value.size == 1) return false
        stack.value = stack.value.dropLast(1)
        return true
    }

    companion object {
        /** The bottom bar. */
        val TABS = listOf(Destination.TODAY, Destination.PIPELINE, Destination.SEARCH, Destination.INSIGHTS, Destination.SYNC)
    }
}
