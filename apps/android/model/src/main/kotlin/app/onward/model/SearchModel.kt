package app.onward.model

import app.onward.JournalChange

/** Search over everything written; each hit opens its record. */
data class SearchState(
    val query: String = "",
    val hits: List<Hit> = emptyList(),
    val searched: Boolean = false,
    val problem: String? = null,
)

/** A hit: [snippet] has `[` `]` around the matching words. */
data class Hit(val row: Row, val snippet: String)

class SearchModel(private val store: JournalStore) : ScreenModel<SearchState>(SearchState()) {

    // Any write may add or remove a hit, but only while something was searched for.
    override fun shows(change: JournalChange) = state.value.query.isNotBlank()

    override suspend fun refresh() = search(state.value.query)

    suspend fun search(text: String) {
        if (text.isBlank()) {
            mutable.value = SearchState()
            return
        }
        store.attempt { it.search(text, 30u) }
            .onSuccess { hits ->
                mutable.value = SearchState(
                    query = text,
                    hits = hits.map { Hit(Row(it.item.id, it.item.kind, it.item.title), it.snippet) },
                    searched = true,
                )
            }.onFailure { e -> mutable.value = mutable.value.copy(query = text, problem = e.message) }
    }
}
