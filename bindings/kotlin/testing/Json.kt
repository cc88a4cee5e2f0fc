package app.onward.testing

// Just enough JSON for the tests' shared tables (no JSON library on this plain JVM):
// objects as maps, arrays as lists, numbers as Long or Double, strings, booleans, null.

/** Parses [text] as one JSON value. */
fun parseJson(text: String): Any? = JsonReader(text).run { value().also { end() } }

private class JsonReader(private val s: String) {
    private var i = 0

    fun value(): Any? {
        skip()
        return when (val c = s.getOrNull(i) ?: fail("a value")) {
            '{' -> obj()
            '[' -> array()
            '"' -> string()
            't' -> word("true", true)
            'f' -> word("false", false)
            'n' -> word("null", null)
            else -> if (c == '-' || c.isDigit()) number() else fail("a value")
        }
    }

    fun end() {
        skip()
        if (i != s.length) fail("the end")
    }

    private fun obj(): Map<String, Any?> {
        val out = LinkedHashMap<String, Any?>()
        i++
        skip()
        if (s[i] == '}') return out.also { i++ }
        while (true) {
            skip()
            val key = string()
            skip()
            expect(':')
            out[key] = value()
            skip()
            if (s[i] == ',') i++ else return out.also { expect('}') }
        }
    }

    private fun array(): List<Any?> {
        val out = ArrayList<Any?>()
        i++
        skip()
        if (s[i] == ']') return out.also { i++ }
        while (true) {
            out.add(value())
            skip()
            if (s[i] == ',') i++ else return out.also { expect(']') }
        }
    }

    private fun string(): String {
        expect('"')
        val out = StringBuilder()
        while (true) {
            when (val c = s[i++]) {
                '"' -> return out.toString()
                '\\' -> when (val e = s[i++]) {
                    'n' -> out.append('\n')
                    't' -> out.append('\t')
                    'r' -> out.append('\r')
                    'b' -> out.append('\b')
                    'f' -> out.append('\u000c')
                    'u' -> out.append(s.substring(i, i + 4).toInt(16).toChar()).also { i += 4 }
                    else -> out.append(e)
                }
                else -> out.append(c)
            }
        }
    }

    private fun number(): Number {
        val start = i
        while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
        val text = s.substring(start, i)
        return text.toLongOrNull() ?: text.toDouble()
    }

    private fun word(w: String, v: Any?): Any? {
        if (!s.startsWith(w, i)) fail(w)
        i += w.length
        return v
    }

    private fun expect(c: Char) {
        if (s.getOrNull(i) != c) fail("'$c'")
        i++
    }

    private fun skip() {
        while (i < s.length && s[i].isWhitespace()) i++
    }

    private fun fail(what: String): Nothing = throw IllegalArgumentException("JSON: expected $what at $i")
}
