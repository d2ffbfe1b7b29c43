/*
 * shailoo._speedups: the per-row loops of a national import, in C.
 *
 * Optional: when this module is not built, shailoo runs the same loops in Python
 * (shailoo.speedups says which is in use). Both must give equal results; the property tests in
 * tests/intake/test_speedups.py and tests/ledger/test_binary_copy.py compare them.
 *
 * QuickRow(...)(cells, line) is ElectionTable.quick_row's closure (src/shailoo/intake/bulk.py):
 * a clean CSV row straight to (station, source, payload JSON, line), or None when the row must
 * take the general path. It declines more rows than the Python closure (a count of more than
 * 15 digits, a cell that is not a str); the general path then gives the same outcome.
 * QuickRow.line(raw, line) does the same from the raw line, without making the cells. A
 * QuickRow keeps scratch space for one row: one thread at a time.
 *
 * chain_rows(...) is the loop of shailoo.ledger.store.chain_protocol_rows: the canonical text
 * of each protocol event, its SHA-256 (OpenSSL) and the ledger row.
 *
 * copy_rows(...) writes ledger rows in PostgreSQL's binary COPY format (tests compare it with
 * psycopg's), and chain_copy(...) chains a batch straight into that format, so that the
 * importer's parser process can send a batch as one bytes value.
 *
 * int_rows(...) reads the integers of many values into one int64 matrix (a tally rebuild's
 * rows from its decoded payloads; tests/tally compare it with numpy.fromiter), and
 * canonical_counts(...) reads the counts of canonical protocol payloads straight from their
 * JSON text (tests/tally compare it with the struct decoder).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

/* Counts of at most 15 digits and at most 1000 of them: every sum fits in int64. */
#define MAX_DIGITS 15
#define MAX_NUMBERS 1000

/* ---- a growable byte buffer ------------------------------------------------------------- */

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Buf;

static int buf_put(Buf *b, const char *s, Py_ssize_t n) {
    if (b->len + n > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n) cap *= 2;
        char *data = PyMem_Realloc(b->data, (size_t)cap);
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

/* The UTF-8 bytes of a str (NULL with an exception set if it has none, e.g. a surrogate). */
static const char *utf8_of(PyObject *s, Py_ssize_t *n) { return PyUnicode_AsUTF8AndSize(s, n); }

/* A str without leading or trailing whitespace, as str.strip() (new reference). */
static PyObject *stripped(PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (n > 0) {
        int kind = PyUnicode_KIND(s);
        const void *data = PyUnicode_DATA(s);
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, 0)) ||
            Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, n - 1)))
            return PyObject_CallMethod(s, "strip", NULL);
    }
    Py_INCREF(s);
    return s;
}

/* A JSON string literal of s into b, as json.encoder.encode_basestring (ensure_ascii off):
 * written directly unless s holds a quote, a backslash or a control character; then the
 * Python encoder (`encode`) does it. */
static int put_json_string(Buf *b, PyObject *s, PyObject *encode) {
    Py_ssize_t n;
    const char *u = utf8_of(s, &n);
    if (u == NULL) return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c < 0x20 || c == '"' || c == '\\') {
            PyObject *lit = PyObject_CallOneArg(encode, s);
            if (lit == NULL) return -1;
            Py_ssize_t m;
            const char *v = PyUnicode_Check(lit) ? utf8_of(lit, &m) : NULL;
            int rc = v == NULL ? -1 : buf_put(b, v, m);
            if (v == NULL && !PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "the JSON string encoder must return a str");
            Py_DECREF(lit);
            return rc;
        }
    }
    if (buf_put(b, "\"", 1) < 0 || buf_put(b, u, n) < 0 || buf_put(b, "\"", 1) < 0) return -1;
    return 0;
}

/* ---- QuickRow ------------------------------------------------------------------------------ */

/* What a slot of the payload template holds (>= 0: that count's digits). */
enum { SLOT_ENTERED_BY = -1, SLOT_REASON = -2, SLOT_SOURCE = -3, SLOT_STATION = -4 };

typedef struct {
    PyObject_HEAD
    Py_ssize_t width;
    Py_ssize_t n_numbers;
    Py_ssize_t *number_at;
    Py_ssize_t station_at, source_at, entered_at, reason_at;
    Py_ssize_t unit_at[2];  /* region, district (-1: no such column) */
    long long high_turnout;
    PyObject *registered;   /* dict: station -> voters on its list */
    PyObject *units;        /* dict: station -> (region, district), or None */
    PyObject *valid_source; /* callable: source -> bool */
    PyObject *encode;       /* callable: str -> JSON string literal */
    PyObject *official;     /* the source of a row without one */
    PyObject *parts;        /* tuple: str literals and int slots, alternating */
    Py_ssize_t n_parts;
    const char **literal;   /* UTF-8 of each str part (NULL for a slot) */
    Py_ssize_t *literal_len;
    long *slot;
    /* per call scratch */
    const char **digits;
    Py_ssize_t *digits_len;
    long long *value;
    Py_ssize_t *span_start;
    Py_ssize_t *span_len;
    Buf buf;
} QuickRow;

static void QuickRow_dealloc(QuickRow *self) {
    PyMem_Free(self->number_at);
    PyMem_Free(self->literal);
    PyMem_Free(self->literal_len);
    PyMem_Free(self->slot);
    PyMem_Free(self->digits);
    PyMem_Free(self->digits_len);
    PyMem_Free(self->value);
    PyMem_Free(self->span_start);
    PyMem_Free(self->span_len);
    PyMem_Free(self->buf.data);
    Py_XDECREF(self->registered);
    Py_XDECREF(self->units);
    Py_XDECREF(self->valid_source);
    Py_XDECREF(self->encode);
    Py_XDECREF(self->official);
    Py_XDECREF(self->parts);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int QuickRow_init(QuickRow *self, PyObject *args, PyObject *kwds) {
    static char *names[] = {"width", "number_at", "station_at", "unit_at", "source_at",
                            "entered_at", "reason_at", "registered", "units", "valid_source",
                            "encode", "parts", "high_turnout", NULL};
    Py_ssize_t width, station_at, source_at, entered_at, reason_at;
    PyObject *number_at, *unit_at, *registered, *units, *valid_source, *encode, *parts;
    long long high_turnout;
    if (self->number_at != NULL) {
        PyErr_SetString(PyExc_TypeError, "QuickRow is initialised once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "nO!nO!nnnO!OOOO!L", names, &width,
                                     &PyTuple_Type, &number_at, &station_at, &PyTuple_Type,
                                     &unit_at, &source_at, &entered_at, &reason_at,
                                     &PyDict_Type, &registered, &units, &valid_source, &encode,
                                     &PyTuple_Type, &parts, &high_turnout))
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(number_at);
    if (n < 6 || n > MAX_NUMBERS) {
        PyErr_Format(PyExc_ValueError, "QuickRow takes 6 to %d counts, not %zd", MAX_NUMBERS, n);
        return -1;
    }
    if (PyTuple_GET_SIZE(unit_at) != 2) {
        PyErr_SetString(PyExc_ValueError, "unit_at is (region position, district position)");
        return -1;
    }
    if (!PyCallable_Check(valid_source) || !PyCallable_Check(encode)) {
        PyErr_SetString(PyExc_TypeError, "valid_source and encode must be callable");
        return -1;
    }
    self->width = width;
    self->n_numbers = n;
    self->number_at = PyMem_Calloc((size_t)n, sizeof(Py_ssize_t));
    self->digits = PyMem_Calloc((size_t)n, sizeof(char *));
    self->digits_len = PyMem_Calloc((size_t)n, sizeof(Py_ssize_t));
    self->value = PyMem_Calloc((size_t)n, sizeof(long long));
    self->span_start = PyMem_Calloc((size_t)width + 1, sizeof(Py_ssize_t));
    self->span_len = PyMem_Calloc((size_t)width + 1, sizeof(Py_ssize_t));
    if (!self->number_at || !self->digits || !self->digits_len || !self->value ||
        !self->span_start || !self->span_len) {
        PyErr_NoMemory();
        return -1;
    }
#define IN_ROW(i) ((i) >= 0 && (i) < width)
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(number_at, i));
        if (at == -1 && PyErr_Occurred()) return -1;
        if (!IN_ROW(at)) {
            PyErr_SetString(PyExc_ValueError, "a count position is outside the row");
            return -1;
        }
        self->number_at[i] = at;
    }
    for (Py_ssize_t i = 0; i < 2; i++) {
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(unit_at, i));
        if (at == -1 && PyErr_Occurred()) return -1;
        if (at != -1 && !IN_ROW(at)) {
            PyErr_SetString(PyExc_ValueError, "a unit position is outside the row");
            return -1;
        }
        self->unit_at[i] = at;
    }
    if (!IN_ROW(station_at) || (source_at != -1 && !IN_ROW(source_at)) ||
        (entered_at != -1 && !IN_ROW(entered_at)) || (reason_at != -1 && !IN_ROW(reason_at))) {
        PyErr_SetString(PyExc_ValueError, "a column position is outside the row (-1: none)");
        return -1;
    }
#undef IN_ROW
    self->station_at = station_at;
    self->source_at = source_at;
    self->entered_at = entered_at;
    self->reason_at = reason_at;
    self->high_turnout = high_turnout;
    Py_ssize_t np = PyTuple_GET_SIZE(parts);
    self->n_parts = np;
    self->literal = PyMem_Calloc((size_t)np + 1, sizeof(char *));
    self->literal_len = PyMem_Calloc((size_t)np + 1, sizeof(Py_ssize_t));
    self->slot = PyMem_Calloc((size_t)np + 1, sizeof(long));
    if (!self->literal || !self->literal_len || !self->slot) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < np; i++) {
        PyObject *part = PyTuple_GET_ITEM(parts, i);
        if (PyUnicode_Check(part)) {
            self->literal[i] = utf8_of(part, &self->literal_len[i]);
            if (self->literal[i] == NULL) return -1;
        } else if (PyLong_Check(part)) {
            long s = PyLong_AsLong(part);
            if (s == -1 && PyErr_Occurred()) return -1;
            if (s < SLOT_STATION || s >= n) {
                PyErr_Format(PyExc_ValueError, "payload slot %ld names no value", s);
                return -1;
            }
            self->slot[i] = s;
        } else {
            PyErr_SetString(PyExc_TypeError, "payload parts are str literals and int slots");
            return -1;
        }
    }
    if (units != Py_None && !PyDict_Check(units)) {
        PyErr_SetString(PyExc_TypeError, "units must be a dict or None");
        return -1;
    }
    if (units == Py_None && (self->unit_at[0] != -1 || self->unit_at[1] != -1)) {
        PyErr_SetString(PyExc_ValueError, "a file with unit columns needs the units");
        return -1;
    }
    Py_INCREF(registered);
    self->registered = registered;
    Py_INCREF(units);
    self->units = units;
    Py_INCREF(valid_source);
    self->valid_source = valid_source;
    Py_INCREF(encode);
    self->encode = encode;
    Py_INCREF(parts);  /* keeps the literals' UTF-8 alive */
    self->parts = parts;
    self->official = PyUnicode_InternFromString("official");
    return self->official == NULL ? -1 : 0;
}

/* The digits of a count cell: plain ASCII digits, no leading zero (JSON's form of a number),
 * at most MAX_DIGITS. 0 when the cell is not such. */
static int read_count(PyObject *cell, const char **digits, Py_ssize_t *len, long long *value) {
    if (!PyUnicode_CheckExact(cell) || !PyUnicode_IS_ASCII(cell)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(cell);
    if (n == 0 || n > MAX_DIGITS) return 0;
    const char *p = (const char *)PyUnicode_1BYTE_DATA(cell);
    if (n > 1 && p[0] == '0') return 0;
    long long v = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        v = v * 10 + (p[i] - '0');
    }
    *digits = p;
    *len = n;
    *value = v;
    return 1;
}

/* How the two forms of a row give a cell: a new reference to its str (NULL with an error). */
typedef PyObject *(*CellFn)(void *row, Py_ssize_t at);

/* An optional text cell, stripped: a new reference, or NULL for none (also on error). */
static PyObject *optional_text(CellFn cell_of, void *row, Py_ssize_t at, int *failed) {
    if (at < 0) return NULL;
    PyObject *cell = cell_of(row, at);
    if (cell == NULL) {
        *failed = 1;
        return NULL;
    }
    PyObject *s = stripped(cell);
    Py_DECREF(cell);
    if (s == NULL) {
        *failed = 1;
        return NULL;
    }
    if (PyUnicode_GET_LENGTH(s) == 0) {
        Py_DECREF(s);
        return NULL;
    }
    return s;
}

/* is_clean() of shailoo.intake.bulk on the counts read, but for the station list's voters:
 * cast <= issued <= received, issued <= registered, turnout, and the sum. */
static int counts_clean(QuickRow *self, long long total) {
    long long *v = self->value;
    long long reg = v[0], rec = v[1], iss = v[2], cst = v[3];
    return cst <= iss && iss <= rec && iss <= reg && cst * 100 <= reg * self->high_turnout &&
           total == reg + rec + iss + 2 * cst;
}

/* The rest of a clean row once its counts are read and checked: the station (known, with
 * registered <= its voters), the source (valid), the texts, the payload. None when the row
 * must take the general path; the general path meets the same cell and reports any problem
 * properly, so an error here is forgotten. */
static PyObject *finish_row(QuickRow *self, CellFn cell_of, void *row, PyObject *line) {
    PyObject *station = NULL, *source = NULL, *entered_by = NULL, *reason = NULL;
    PyObject *payload = NULL, *out = NULL;
    int failed = 0;
    PyObject *cell = cell_of(row, self->station_at);
    if (cell == NULL) goto declined;
    station = stripped(cell);
    Py_DECREF(cell);
    if (station == NULL || PyUnicode_GET_LENGTH(station) == 0) goto declined;
    PyObject *listed = PyDict_GetItemWithError(self->registered, station); /* borrowed */
    if (listed == NULL || !PyLong_Check(listed)) goto declined;
    int overflow = 0;
    long long voters = PyLong_AsLongLongAndOverflow(listed, &overflow);
    if (overflow || (voters == -1 && PyErr_Occurred()) || self->value[0] > voters) goto declined;
    /* a region or district given must be the station's (check_units, P006) */
    for (int k = 0; k < 2; k++) {
        PyObject *given = optional_text(cell_of, row, self->unit_at[k], &failed);
        if (failed) goto declined;
        if (given == NULL) continue;
        PyObject *known = PyDict_GetItemWithError(self->units, station); /* borrowed */
        PyObject *expected = known != NULL && PyTuple_Check(known) && PyTuple_GET_SIZE(known) == 2
                                 ? PyTuple_GET_ITEM(known, k)
                                 : NULL;
        int same = expected != NULL && PyUnicode_Check(expected) &&
                   PyUnicode_Compare(given, expected) == 0;
        Py_DECREF(given);
        if (!same) goto declined;
    }
    source = optional_text(cell_of, row, self->source_at, &failed);
    if (failed) goto declined;
    if (source == NULL) {
        Py_INCREF(self->official);
        source = self->official;
    }
    PyObject *ok = PyObject_CallOneArg(self->valid_source, source);
    if (ok == NULL) goto declined;
    int valid = PyObject_IsTrue(ok);
    Py_DECREF(ok);
    if (valid != 1) goto declined;
    entered_by = optional_text(cell_of, row, self->entered_at, &failed);
    reason = optional_text(cell_of, row, self->reason_at, &failed);
    if (failed) goto declined;
    Buf *b = &self->buf;
    b->len = 0;
    for (Py_ssize_t i = 0; i < self->n_parts; i++) {
        int rc;
        if (self->literal[i] != NULL) {
            rc = buf_put(b, self->literal[i], self->literal_len[i]);
        } else if (self->slot[i] >= 0) {
            rc = buf_put(b, self->digits[self->slot[i]], self->digits_len[self->slot[i]]);
        } else {
            PyObject *text = self->slot[i] == SLOT_ENTERED_BY ? entered_by
                             : self->slot[i] == SLOT_REASON   ? reason
                             : self->slot[i] == SLOT_SOURCE   ? source
                                                              : station;
            rc = text == NULL ? buf_put(b, "null", 4) : put_json_string(b, text, self->encode);
        }
        if (rc < 0) goto declined;
    }
    payload = PyUnicode_DecodeUTF8(b->data, b->len, "strict");
    if (payload == NULL) goto declined;
    out = PyTuple_Pack(4, station, source, payload, line);
    goto done;
declined:
    PyErr_Clear();
    out = Py_None;
    Py_INCREF(out);
done:
    Py_XDECREF(station);
    Py_XDECREF(source);
    Py_XDECREF(entered_by);
    Py_XDECREF(reason);
    Py_XDECREF(payload);
    return out;
}

static PyObject *list_cell(void *row, Py_ssize_t at) {
    PyObject *cell = PyList_GET_ITEM((PyObject *)row, at);
    if (!PyUnicode_CheckExact(cell)) {
        PyErr_SetString(PyExc_TypeError, "a cell is not a str");
        return NULL;
    }
    Py_INCREF(cell);
    return cell;
}

static int check_ready(QuickRow *self) {
    if (self->number_at == NULL) {
        PyErr_SetString(PyExc_TypeError, "QuickRow is not initialised");
        return -1;
    }
    return 0;
}

/* QuickRow(cells, line): a row the csv module read. */
static PyObject *QuickRow_call(QuickRow *self, PyObject *args, PyObject *kwds) {
    PyObject *cells, *line;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "QuickRow takes (cells, line)");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "QuickRow", 2, 2, &cells, &line)) return NULL;
    if (check_ready(self) < 0) return NULL;
    if (!PyList_CheckExact(cells) || PyList_GET_SIZE(cells) != self->width) Py_RETURN_NONE;
    long long total = 0;
    for (Py_ssize_t i = 0; i < self->n_numbers; i++) {
        if (!read_count(PyList_GET_ITEM(cells, self->number_at[i]), &self->digits[i],
                        &self->digits_len[i], &self->value[i]))
            Py_RETURN_NONE;
        total += self->value[i];
    }
    if (!counts_clean(self, total)) Py_RETURN_NONE;
    return finish_row(self, list_cell, cells, line);
}

/* A line's cells as byte ranges of its UTF-8 text. */
typedef struct {
    const char *text;
    Py_ssize_t *start;
    Py_ssize_t *len;
} Spans;

static PyObject *span_cell(void *row, Py_ssize_t at) {
    Spans *spans = (Spans *)row;
    return PyUnicode_DecodeUTF8(spans->text + spans->start[at], spans->len[at], "strict");
}

/* read_count() on a byte range. */
static int read_count_span(const char *p, Py_ssize_t n, long long *value) {
    if (n == 0 || n > MAX_DIGITS || (n > 1 && p[0] == '0')) return 0;
    long long v = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return 1;
}

/* Lines longer than this are left to the csv module (whose field limit, 131,072 by default,
 * then decides); a protocol line is about a hundred characters. */
#define MAX_LINE 65536

PyDoc_STRVAR(QuickRow_line_doc,
"line(raw, line) -> (station, source, payload, line) or None\n\n"
"The same for one line of the file as read with newline='', split into cells as the csv\n"
"module splits it: at commas, once the line ending is stripped; a cell that starts with a\n"
"quote ends at the next quote, which must end the line or come before a comma (\"s1\",\"12\" as\n"
"R and spreadsheets write them). Any other quote (a doubled one, one inside a cell), a NUL, or\n"
"a line longer than 65,536 characters, is declined: the csv module must read that line.");

/* The cells of the line u[0:n] as byte ranges (start, len), as the csv module splits a line
 * without a doubled quote, a quote inside a cell or a line break inside quotes; the number of
 * cells, or -1 when there are more than `most` or the line is not of that simple kind. */
static Py_ssize_t split_line(const char *u, Py_ssize_t n, Py_ssize_t most, Py_ssize_t *start,
                             Py_ssize_t *len) {
    Py_ssize_t cell = 0, i = 0;
    for (;;) {
        if (cell == most) return -1;
        Py_ssize_t j;
        if (i < n && u[i] == '"') {
            const char *close = memchr(u + i + 1, '"', (size_t)(n - i - 1));
            if (close == NULL) return -1; /* a cell that goes on past the line */
            j = close - u;
            if (j + 1 < n && u[j + 1] != ',') return -1; /* "" or text after the quote */
            start[cell] = i + 1;
            len[cell] = j - i - 1;
            j += 1; /* the comma, or the end */
        } else {
            const char *comma = memchr(u + i, ',', (size_t)(n - i));
            j = comma == NULL ? n : comma - u;
            if (memchr(u + i, '"', (size_t)(j - i)) != NULL) return -1; /* a quote inside */
            start[cell] = i;
            len[cell] = j - i;
        }
        cell++;
        if (j >= n) return cell;
        i = j + 1;
    }
}

static PyObject *QuickRow_line(QuickRow *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "QuickRow.line takes (raw, line)");
        return NULL;
    }
    if (check_ready(self) < 0) return NULL;
    PyObject *raw = args[0];
    if (!PyUnicode_CheckExact(raw) || PyUnicode_GET_LENGTH(raw) > MAX_LINE) Py_RETURN_NONE;
    Py_ssize_t n;
    const char *u = utf8_of(raw, &n);
    if (u == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    while (n > 0 && (u[n - 1] == '\n' || u[n - 1] == '\r')) n--;
    if (n == 0 || memchr(u, '\0', (size_t)n) != NULL) Py_RETURN_NONE;
    Py_ssize_t *start = self->span_start, *len = self->span_len;
    Py_ssize_t cell = split_line(u, n, self->width, start, len);
    if (cell != self->width) Py_RETURN_NONE;
    long long total = 0;
    for (Py_ssize_t i = 0; i < self->n_numbers; i++) {
        Py_ssize_t at = self->number_at[i];
        if (!read_count_span(u + start[at], len[at], &self->value[i])) Py_RETURN_NONE;
        self->digits[i] = u + start[at];
        self->digits_len[i] = len[at];
        total += self->value[i];
    }
    Spans spans = {u, start, len};
    if (!counts_clean(self, total)) Py_RETURN_NONE;
    return finish_row(self, span_cell, &spans, args[1]);
}

static PyMethodDef QuickRow_methods[] = {
    {"line", (PyCFunction)(void (*)(void))QuickRow_line, METH_FASTCALL, QuickRow_line_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject QuickRowType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "shailoo._speedups.QuickRow",
    .tp_basicsize = sizeof(QuickRow),
    .tp_dealloc = (destructor)QuickRow_dealloc,
    .tp_call = (ternaryfunc)QuickRow_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A clean CSV row to (station, source, payload JSON, line), else None.",
    .tp_init = (initproc)QuickRow_init,
    .tp_new = PyType_GenericNew,
    .tp_methods = QuickRow_methods,
};

/* ---- chain_rows ------------------------------------------------------------------------------ */

static EVP_MD *sha256_md = NULL;


PyDoc_STRVAR(chain_rows_doc,
"chain_rows(election_id, author, recorded_at, head_seq, head_hash, items, fronts, middle,\n"
"           after_prev, tail) -> list of ledger rows\n\n"
"The loop of shailoo.ledger.store.chain_protocol_rows: for each (kind, payload_json, station,\n"
"source) of items, the event text fronts[kind] + payload_json + middle + prev hash +\n"
"after_prev + seq + tail, its SHA-256 in lowercase hex, and the row. ValueError for an\n"
"unknown kind or an item without station or source.");

/* The parts of an event's text that do not change within a batch (chain_rows' arguments). */
typedef struct {
    PyObject *election_id, *author, *recorded_at, *fronts;
    const char *middle, *after_prev, *tail;
    Py_ssize_t middle_len, after_len, tail_len;
    EVP_MD_CTX *ctx;
    Buf text;
} Chain;

/* Read the batch-wide arguments args[0..9] (but items and the head) into `c`; -1 on error. */
static int chain_setup(Chain *c, PyObject *const *args) {
    c->election_id = args[0];
    c->author = args[1];
    c->recorded_at = args[2];
    c->fronts = args[6];
    if (!PyUnicode_Check(args[4]) || !PyDict_Check(c->fronts)) {
        PyErr_SetString(PyExc_TypeError, "head_hash must be a str and fronts a dict");
        return -1;
    }
    c->middle = PyUnicode_Check(args[7]) ? utf8_of(args[7], &c->middle_len) : NULL;
    c->after_prev = PyUnicode_Check(args[8]) ? utf8_of(args[8], &c->after_len) : NULL;
    c->tail = PyUnicode_Check(args[9]) ? utf8_of(args[9], &c->tail_len) : NULL;
    if (c->middle == NULL || c->after_prev == NULL || c->tail == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "text parts must be str");
        return -1;
    }
    c->ctx = EVP_MD_CTX_new();
    if (c->ctx == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void chain_free(Chain *c) {
    if (c->ctx != NULL) EVP_MD_CTX_free(c->ctx);
    PyMem_Free(c->text.data);
}

/* One item (kind, payload_json, station, source) checked as chain_protocol_rows checks it;
 * its parts through the pointers (borrowed), its event front's UTF-8 in *front; -1 on error. */
static int chain_item(Chain *c, PyObject *item, PyObject **kind, PyObject **payload,
                      PyObject **station, PyObject **source, const char **front,
                      Py_ssize_t *front_len) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4) {
        PyErr_SetString(PyExc_TypeError, "an item is (kind, payload_json, station, source)");
        return -1;
    }
    *kind = PyTuple_GET_ITEM(item, 0);
    *payload = PyTuple_GET_ITEM(item, 1);
    *station = PyTuple_GET_ITEM(item, 2);
    *source = PyTuple_GET_ITEM(item, 3);
    PyObject *f = PyDict_GetItemWithError(c->fronts, *kind);
    if (f == NULL) {
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "%R is not a protocol event kind", *kind);
        return -1;
    }
    int has_station = PyObject_IsTrue(*station), has_source = PyObject_IsTrue(*source);
    if (has_station < 0 || has_source < 0) return -1;
    if (!has_station || !has_source) {
        PyErr_Format(PyExc_ValueError, "a %S payload needs a station and a source", *kind);
        return -1;
    }
    if (!PyUnicode_Check(f) || !PyUnicode_Check(*payload)) {
        PyErr_SetString(PyExc_TypeError, "event fronts and payloads must be str");
        return -1;
    }
    *front = utf8_of(f, front_len);
    return *front == NULL ? -1 : 0;
}

/* The lowercase hex SHA-256 of the event text front + payload + middle + prev + after_prev +
 * seq + tail into hex[64]; -1 on error. */
static int chain_hash(Chain *c, const char *front, Py_ssize_t front_len, const char *payload,
                      Py_ssize_t payload_len, const char *prev, Py_ssize_t prev_len,
                      long long seq, char *hex) {
    static const char hexdigits[] = "0123456789abcdef";
    char number[24];
    int number_len = snprintf(number, sizeof number, "%lld", seq);
    Buf *b = &c->text;
    b->len = 0;
    if (buf_put(b, front, front_len) < 0 || buf_put(b, payload, payload_len) < 0 ||
        buf_put(b, c->middle, c->middle_len) < 0 || buf_put(b, prev, prev_len) < 0 ||
        buf_put(b, c->after_prev, c->after_len) < 0 || buf_put(b, number, number_len) < 0 ||
        buf_put(b, c->tail, c->tail_len) < 0)
        return -1;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (!EVP_DigestInit_ex(c->ctx, sha256_md, NULL) ||
        !EVP_DigestUpdate(c->ctx, b->data, (size_t)b->len) ||
        !EVP_DigestFinal_ex(c->ctx, digest, &digest_len) || digest_len != 32) {
        PyErr_SetString(PyExc_RuntimeError, "OpenSSL SHA-256 failed");
        return -1;
    }
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = hexdigits[digest[i] >> 4];
        hex[2 * i + 1] = hexdigits[digest[i] & 15];
    }
    return 0;
}

static PyObject *chain_rows(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "chain_rows takes 10 arguments");
        return NULL;
    }
    long long seq = PyLong_AsLongLong(args[3]);
    if (seq == -1 && PyErr_Occurred()) return NULL;
    Chain c = {0};
    if (chain_setup(&c, args) < 0) {
        chain_free(&c);
        return NULL;
    }
    PyObject *seq_items = PySequence_Fast(args[5], "items must be a sequence");
    if (seq_items == NULL) {
        chain_free(&c);
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq_items);
    PyObject *rows = PyList_New(n);
    PyObject *prev = args[4];
    Py_INCREF(prev);
    if (rows == NULL) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kind, *payload, *station, *source;
        const char *front, *p, *h;
        Py_ssize_t front_len, payload_len, prev_len;
        if (chain_item(&c, PySequence_Fast_GET_ITEM(seq_items, i), &kind, &payload, &station,
                       &source, &front, &front_len) < 0)
            goto fail;
        p = utf8_of(payload, &payload_len);
        h = p ? utf8_of(prev, &prev_len) : NULL;
        if (h == NULL) goto fail;
        seq += 1;
        char hex[64];
        if (chain_hash(&c, front, front_len, p, payload_len, h, prev_len, seq, hex) < 0) goto fail;
        PyObject *hash = PyUnicode_FromStringAndSize(hex, 64);
        PyObject *seq_obj = hash ? PyLong_FromLongLong(seq) : NULL;
        PyObject *row = seq_obj ? PyTuple_New(10) : NULL;
        if (row == NULL) {
            Py_XDECREF(hash);
            Py_XDECREF(seq_obj);
            goto fail;
        }
        PyObject *fields[10] = {c.election_id, seq_obj, kind,    c.author, c.recorded_at,
                                prev,          hash,    payload, station,  source};
        for (int k = 0; k < 10; k++) {
            if (k != 1 && k != 6) Py_INCREF(fields[k]);
            PyTuple_SET_ITEM(row, k, fields[k]);
        }
        /* the row holds prev now; the next event's prev is this hash */
        Py_DECREF(prev);
        prev = hash;
        Py_INCREF(prev);
        PyList_SET_ITEM(rows, i, row);
    }
    Py_DECREF(prev);
    Py_DECREF(seq_items);
    chain_free(&c);
    return rows;
fail:
    Py_XDECREF(prev);
    Py_DECREF(seq_items);
    Py_XDECREF(rows);
    chain_free(&c);
    return NULL;
}

static int put_be32(Buf *b, int32_t v);

/* A text field of a binary COPY tuple: its length, then its bytes. */
static int put_copy_text(Buf *b, const char *text, Py_ssize_t len) {
    if (len > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "a text is too long for one COPY field");
        return -1;
    }
    return put_be32(b, (int32_t)len) < 0 || buf_put(b, text, len) < 0 ? -1 : 0;
}

static int put_copy_str(Buf *b, PyObject *s) {
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "%s, not a str, for a text column", Py_TYPE(s)->tp_name);
        return -1;
    }
    Py_ssize_t len;
    const char *u = utf8_of(s, &len);
    return u == NULL ? -1 : put_copy_text(b, u, len);
}

PyDoc_STRVAR(chain_copy_doc,
"chain_copy(election_id, author, recorded_at, head_seq, head_hash, items, fronts, middle,\n"
"           after_prev, tail) -> (data, seq, hash)\n\n"
"chain_rows written straight as binary COPY tuples: copy_rows(chain_rows(...), kinds of the\n"
"ledger's columns), and the new head (seq, hash); no row is built.");

static PyObject *chain_copy(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "chain_copy takes 10 arguments");
        return NULL;
    }
    long long seq = PyLong_AsLongLong(args[3]);
    if (seq == -1 && PyErr_Occurred()) return NULL;
    Chain c = {0};
    Buf out = {NULL, 0, 0};
    PyObject *seq_items = NULL;
    const char *eid, *author, *recorded_at, *prev;
    Py_ssize_t eid_len, author_len, recorded_len, prev_len;
    if (chain_setup(&c, args) < 0) goto fail;
    if (!PyUnicode_Check(c.election_id) || !PyUnicode_Check(c.author) ||
        !PyUnicode_Check(c.recorded_at)) {
        PyErr_SetString(PyExc_TypeError, "election_id, author and recorded_at must be str");
        goto fail;
    }
    eid = utf8_of(c.election_id, &eid_len);
    author = eid ? utf8_of(c.author, &author_len) : NULL;
    recorded_at = author ? utf8_of(c.recorded_at, &recorded_len) : NULL;
    prev = recorded_at ? utf8_of(args[4], &prev_len) : NULL;
    if (prev == NULL) goto fail;
    seq_items = PySequence_Fast(args[5], "items must be a sequence");
    if (seq_items == NULL) goto fail;
    char hex[2][64];
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq_items);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kind, *payload, *station, *source;
        const char *front, *p;
        Py_ssize_t front_len, payload_len;
        if (chain_item(&c, PySequence_Fast_GET_ITEM(seq_items, i), &kind, &payload, &station,
                       &source, &front, &front_len) < 0)
            goto fail;
        p = utf8_of(payload, &payload_len);
        if (p == NULL) goto fail;
        seq += 1;
        char *hash = hex[i & 1];
        if (chain_hash(&c, front, front_len, p, payload_len, prev, prev_len, seq, hash) < 0)
            goto fail;
        unsigned char count[2] = {0, 10};
        unsigned char be[8];
        for (int j = 0; j < 8; j++) be[j] = (unsigned char)((uint64_t)seq >> (56 - 8 * j));
        if (buf_put(&out, (const char *)count, 2) < 0 ||
            put_copy_text(&out, eid, eid_len) < 0 || put_be32(&out, 8) < 0 ||
            buf_put(&out, (const char *)be, 8) < 0 || put_copy_str(&out, kind) < 0 ||
            put_copy_text(&out, author, author_len) < 0 ||
            put_copy_text(&out, recorded_at, recorded_len) < 0 ||
            put_copy_text(&out, prev, prev_len) < 0 || put_copy_text(&out, hash, 64) < 0 ||
            put_copy_text(&out, p, payload_len) < 0 || put_copy_str(&out, station) < 0 ||
            put_copy_str(&out, source) < 0)
            goto fail;
        prev = hash; /* the other half of hex[] is written next */
        prev_len = 64;
    }
    PyObject *data = PyBytes_FromStringAndSize(out.data ? out.data : "", out.len);
    PyObject *head = data ? PyUnicode_FromStringAndSize(prev, prev_len) : NULL;
    PyObject *result = head ? Py_BuildValue("(NLN)", data, seq, head) : NULL;
    if (result == NULL) {
        Py_XDECREF(data);
        Py_XDECREF(head);
    }
    Py_DECREF(seq_items);
    chain_free(&c);
    PyMem_Free(out.data);
    return result;
fail:
    Py_XDECREF(seq_items);
    chain_free(&c);
    PyMem_Free(out.data);
    return NULL;
}

/* ---- copy_rows ------------------------------------------------------------------------------- */

static int put_be32(Buf *b, int32_t v) {
    unsigned char x[4] = {(unsigned char)((uint32_t)v >> 24), (unsigned char)((uint32_t)v >> 16),
                          (unsigned char)((uint32_t)v >> 8), (unsigned char)(uint32_t)v};
    return buf_put(b, (const char *)x, 4);
}

PyDoc_STRVAR(copy_rows_doc,
"copy_rows(rows, kinds) -> bytes\n\n"
"The tuples of PostgreSQL's binary COPY format for rows (no signature, no trailer): kinds\n"
"has one letter per column, 't' for text (a str, or None for NULL) and 'q' for int8 (an\n"
"int). TypeError for a value of another type, as psycopg's own binary COPY.");

static PyObject *copy_rows(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[1]) || !PyUnicode_IS_ASCII(args[1])) {
        PyErr_SetString(PyExc_TypeError, "copy_rows takes (rows, kinds: str of 't' and 'q')");
        return NULL;
    }
    Py_ssize_t width = PyUnicode_GET_LENGTH(args[1]);
    const char *kinds = (const char *)PyUnicode_1BYTE_DATA(args[1]);
    if (width > 1600) {
        PyErr_SetString(PyExc_ValueError, "a PostgreSQL row has at most 1600 columns");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < width; k++) {
        if (kinds[k] != 't' && kinds[k] != 'q') {
            PyErr_Format(PyExc_ValueError, "column kind %c is not 't' or 'q'", kinds[k]);
            return NULL;
        }
    }
    PyObject *seq = PySequence_Fast(args[0], "rows must be a sequence");
    if (seq == NULL) return NULL;
    Buf b = {NULL, 0, 0};
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != width) {
            PyErr_Format(PyExc_TypeError, "row %zd is not a tuple of %zd values", i, width);
            goto fail;
        }
        unsigned char count[2] = {(unsigned char)(width >> 8), (unsigned char)width};
        if (buf_put(&b, (const char *)count, 2) < 0) goto fail;
        for (Py_ssize_t k = 0; k < width; k++) {
            PyObject *v = PyTuple_GET_ITEM(row, k);
            if (kinds[k] == 't') {
                if (v == Py_None) {
                    if (put_be32(&b, -1) < 0) goto fail;
                    continue;
                }
                if (!PyUnicode_Check(v)) {
                    PyErr_Format(PyExc_TypeError, "row %zd column %zd: %s, not a str or None", i,
                                 k, Py_TYPE(v)->tp_name);
                    goto fail;
                }
                Py_ssize_t len;
                const char *u = utf8_of(v, &len);
                if (u == NULL) goto fail;
                if (len > INT32_MAX) {
                    PyErr_Format(PyExc_ValueError, "row %zd column %zd: text too long", i, k);
                    goto fail;
                }
                if (put_be32(&b, (int32_t)len) < 0 || buf_put(&b, u, len) < 0) goto fail;
            } else {
                if (!PyLong_Check(v)) {
                    PyErr_Format(PyExc_TypeError, "row %zd column %zd: %s, not an int", i, k,
                                 Py_TYPE(v)->tp_name);
                    goto fail;
                }
                long long x = PyLong_AsLongLong(v);
                if (x == -1 && PyErr_Occurred()) goto fail;
                uint64_t u = (uint64_t)x;
                unsigned char be[8];
                for (int j = 0; j < 8; j++) be[j] = (unsigned char)(u >> (56 - 8 * j));
                if (put_be32(&b, 8) < 0 || buf_put(&b, (const char *)be, 8) < 0) goto fail;
            }
        }
    }
    Py_DECREF(seq);
    PyObject *out = PyBytes_FromStringAndSize(b.data ? b.data : "", b.len);
    PyMem_Free(b.data);
    return out;
fail:
    Py_DECREF(seq);
    PyMem_Free(b.data);
    return NULL;
}

/* ---- int_rows ---------------------------------------------------------------------------- */

PyDoc_STRVAR(int_rows_doc,
"int_rows(items, readers, width) -> bytes\n\n"
"The integers of each item as one row of a native-endian int64 matrix (row after row):\n"
"readers is a tuple of chains of callables; each chain applied to an item in turn gives a\n"
"tuple of ints, and the tuples of all chains, side by side, are its row of `width` ints.\n"
"What numpy.fromiter over chained getters gives, without a Python object per number\n"
"passing through an iterator (a tally rebuild fills its 100,000-row matrix so).");

static PyObject *int_rows(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "int_rows takes (items, readers: tuple, width)");
        return NULL;
    }
    PyObject *readers = args[1];
    Py_ssize_t width = PyLong_AsSsize_t(args[2]);
    if (width == -1 && PyErr_Occurred()) return NULL;
    if (width < 0) {
        PyErr_SetString(PyExc_ValueError, "width must not be negative");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(args[0], "items must be a sequence");
    if (seq == NULL) return NULL;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
    if (width > 0 && m > PY_SSIZE_T_MAX / 8 / width) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, m * width * 8);
    if (out == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    int64_t *cell = (int64_t *)PyBytes_AS_STRING(out);
    Py_ssize_t n_readers = PyTuple_GET_SIZE(readers);
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t filled = 0;
        for (Py_ssize_t r = 0; r < n_readers; r++) {
            PyObject *chain = PyTuple_GET_ITEM(readers, r);
            if (!PyTuple_Check(chain)) {
                PyErr_SetString(PyExc_TypeError, "each reader is a tuple of callables");
                goto fail;
            }
            PyObject *value = PySequence_Fast_GET_ITEM(seq, i);
            Py_INCREF(value);
            for (Py_ssize_t f = 0; f < PyTuple_GET_SIZE(chain); f++) {
                PyObject *next = PyObject_CallOneArg(PyTuple_GET_ITEM(chain, f), value);
                Py_DECREF(value);
                if (next == NULL) goto fail;
                value = next;
            }
            if (!PyTuple_Check(value)) {
                Py_DECREF(value);
                PyErr_SetString(PyExc_TypeError, "a reader gave something other than a tuple");
                goto fail;
            }
            Py_ssize_t k = PyTuple_GET_SIZE(value);
            if (filled + k > width) {
                Py_DECREF(value);
                PyErr_Format(PyExc_ValueError, "item %zd has more than %zd integers", i, width);
                goto fail;
            }
            for (Py_ssize_t j = 0; j < k; j++) {
                long long x = PyLong_AsLongLong(PyTuple_GET_ITEM(value, j));
                if (x == -1 && PyErr_Occurred()) {
                    Py_DECREF(value);
                    goto fail;
                }
                cell[filled + j] = (int64_t)x;
            }
            filled += k;
            Py_DECREF(value);
        }
        if (filled != width) {
            PyErr_Format(PyExc_ValueError, "item %zd has %zd integers, not %zd", i, filled, width);
            goto fail;
        }
        cell += width;
    }
    Py_DECREF(seq);
    return out;
fail:
    Py_DECREF(seq);
    Py_DECREF(out);
    return NULL;
}

/* ---- canonical_counts ---------------------------------------------------------------------- */

/* A cursor over one payload's UTF-8 text; every reader returns 0 when the text is not of the
 * canonical form it expects (the caller then takes the general path). */
typedef struct {
    const char *p, *end;
} Cursor;

static int expect(Cursor *c, const char *lit, Py_ssize_t n) {
    if (c->end - c->p < n || memcmp(c->p, lit, (size_t)n) != 0) return 0;
    c->p += n;
    return 1;
}

/* A JSON integer as canonical JSON writes it (no leading zero, at most 18 digits). */
static int read_int(Cursor *c, long long *out) {
    int neg = 0;
    if (c->p < c->end && *c->p == '-') {
        neg = 1;
        c->p++;
    }
    const char *start = c->p;
    long long v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') v = v * 10 + (*c->p++ - '0');
    Py_ssize_t n = c->p - start;
    if (n == 0 || n > 18 || (n > 1 && *start == '0') || (neg && v == 0)) return 0;
    *out = neg ? -v : v;
    return 1;
}

/* A JSON string; with `plain`, one without any escape (its bytes are its text). */
static int read_string(Cursor *c, int plain, const char **text, Py_ssize_t *len) {
    if (c->p >= c->end || *c->p != '"') return 0;
    const char *start = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        if (*c->p == '\\') {
            if (plain) return 0;
            c->p++; /* the escaped character, whatever it is */
        } else if ((unsigned char)*c->p < 0x20) {
            return 0;
        }
        c->p++;
    }
    if (c->p >= c->end) return 0;
    if (text != NULL) {
        *text = start;
        *len = c->p - start;
    }
    c->p++;
    return 1;
}

static int read_null_or_string(Cursor *c) {
    if (expect(c, "null", 4)) return 1;
    return read_string(c, 0, NULL, NULL);
}

/* HEAD_FIELDS order of shailoo.tally.payloads (registered, received, issued, cast, invalid,
 * against all) from the canonical order of the payload's keys (sorted). */
static const int HEAD_AT[6] = {5, 3, 2, 1, 4, 0};

PyDoc_STRVAR(canonical_counts_doc,
"canonical_counts(texts, vote_keys, stations, width) -> (at, rows) or None\n\n"
"For a page of protocol payloads exactly as the ledger's canonical JSON writes them (keys\n"
"sorted, no space; counts integers; entered_by and reason null or a string; source\n"
"\"official\"; station a string without escapes that `stations` (id -> index) knows; votes\n"
"with exactly the keys of vote_keys, the JSON-encoded party ids in sorted order; warnings a\n"
"list of strings): the station index of each, and their counts as a native-endian int64\n"
"matrix, `width` per row, in HEAD_FIELDS then vote_keys order. None when any payload of the\n"
"page is not of that form: the caller then decodes the page the general way.");

static PyObject *canonical_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyTuple_Check(args[1]) || !PyDict_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "canonical_counts takes (texts, vote_keys: tuple, stations: dict, width)");
        return NULL;
    }
    PyObject *keys = args[1], *stations = args[2];
    Py_ssize_t k = PyTuple_GET_SIZE(keys);
    Py_ssize_t width = PyLong_AsSsize_t(args[3]);
    if (width == -1 && PyErr_Occurred()) return NULL;
    if (width != 6 + k) {
        PyErr_SetString(PyExc_ValueError, "width must be 6 + the number of vote keys");
        return NULL;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(keys, j))) {
            PyErr_SetString(PyExc_TypeError, "vote keys are bytes (a JSON string and a colon)");
            return NULL;
        }
    }
    PyObject *seq = PySequence_Fast(args[0], "texts must be a sequence");
    if (seq == NULL) return NULL;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
    PyObject *at = PyList_New(m);
    PyObject *rows = at ? PyBytes_FromStringAndSize(NULL, m * width * 8) : NULL;
    if (rows == NULL) {
        Py_XDECREF(at);
        Py_DECREF(seq);
        return NULL;
    }
    int64_t *cell = (int64_t *)PyBytes_AS_STRING(rows);
    static const char *const FIRST_KEYS[4] = {"\"against_all\":", ",\"ballots_cast\":",
                                              ",\"ballots_issued\":", ",\"ballots_received\":"};
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *text = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(text)) goto refused;
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(text, &n);
        if (u == NULL) goto refused;
        Cursor c = {u, u + n};
        long long head[6];
        int ok = expect(&c, "{", 1);
        /* against_all, ballots_cast, ballots_issued, ballots_received */
        for (int f = 0; ok && f < 4; f++)
            ok = expect(&c, FIRST_KEYS[f], (Py_ssize_t)strlen(FIRST_KEYS[f])) &&
                 read_int(&c, &head[f]);
        ok = ok && expect(&c, ",\"entered_by\":", 14) && read_null_or_string(&c);
        ok = ok && expect(&c, ",\"invalid\":", 11) && read_int(&c, &head[4]);
        ok = ok && expect(&c, ",\"reason\":", 10) && read_null_or_string(&c);
        ok = ok && expect(&c, ",\"registered\":", 14) && read_int(&c, &head[5]);
        ok = ok && expect(&c, ",\"source\":\"official\",\"station\":", 31);
        const char *station = NULL;
        Py_ssize_t station_len = 0;
        ok = ok && read_string(&c, 1, &station, &station_len);
        ok = ok && expect(&c, ",\"votes\":{", 10);
        for (Py_ssize_t j = 0; ok && j < k; j++) {
            PyObject *key = PyTuple_GET_ITEM(keys, j);
            ok = (j == 0 || expect(&c, ",", 1)) &&
                 expect(&c, PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key)) &&
                 read_int(&c, (long long *)&cell[6 + j]);
        }
        ok = ok && expect(&c, "},\"warnings\":[", 14);
        if (ok && !expect(&c, "]", 1)) {
            do {
                ok = read_string(&c, 0, NULL, NULL);
            } while (ok && expect(&c, ",", 1));
            ok = ok && expect(&c, "]", 1);
        }
        ok = ok && expect(&c, "}", 1) && c.p == c.end;
        if (!ok) goto refused;
        PyObject *sid = PyUnicode_DecodeUTF8(station, station_len, "strict");
        if (sid == NULL) goto refused;
        PyObject *index = PyDict_GetItemWithError(stations, sid); /* borrowed */
        Py_DECREF(sid);
        if (index == NULL) goto refused;
        Py_INCREF(index);
        PyList_SET_ITEM(at, i, index);
        for (int f = 0; f < 6; f++) cell[f] = (int64_t)head[HEAD_AT[f]];
        cell += width;
    }
    Py_DECREF(seq);
    PyObject *out = PyTuple_Pack(2, at, rows);
    Py_DECREF(at);
    Py_DECREF(rows);
    return out;
refused:
    PyErr_Clear();
    Py_DECREF(seq);
    Py_DECREF(at);
    Py_DECREF(rows);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"canonical_counts", (PyCFunction)(void (*)(void))canonical_counts, METH_FASTCALL,
     canonical_counts_doc},
    {"int_rows", (PyCFunction)(void (*)(void))int_rows, METH_FASTCALL, int_rows_doc},
    {"chain_rows", (PyCFunction)(void (*)(void))chain_rows, METH_FASTCALL, chain_rows_doc},
    {"chain_copy", (PyCFunction)(void (*)(void))chain_copy, METH_FASTCALL, chain_copy_doc},
    {"copy_rows", (PyCFunction)(void (*)(void))copy_rows, METH_FASTCALL, copy_rows_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "shailoo._speedups",
    "The per-row loops of a national import in C (optional; see shailoo.speedups).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    /* fetched once: EVP_sha256() would be looked up in the provider on every digest */
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
#else
    sha256_md = (EVP_MD *)EVP_sha256();
#endif
    if (sha256_md == NULL) {
        PyErr_SetString(PyExc_ImportError, "OpenSSL has no SHA-256");
        return NULL;
    }
    if (PyType_Ready(&QuickRowType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&QuickRowType);
    if (PyModule_AddObject(m, "QuickRow", (PyObject *)&QuickRowType) < 0) {
        Py_DECREF(&QuickRowType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
