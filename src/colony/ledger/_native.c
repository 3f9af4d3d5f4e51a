/* The ledger's hot path in C (docs/adr/0069): the same rules as the Python it shadows.
 *
 * Each function is a faster twin of Python that stays the reference and the fallback
 * (native.py chooses):
 *
 *   apply_plain     transfers._create_plain_transfer over a run of events: posted transfers
 *                   without flags, unchained, that pass every rule. A transfer that passes
 *                   every rule but an account's limit it refuses itself (exceeds_credits,
 *                   exceeds_debits: the last two rules, so the code is known), as the Python
 *                   loop records it. It stops at the first event it would not decide,
 *                   changing nothing for it, and the Python path takes that one on.
 *   pack_transfers  codec.pack_transfers; None when any field is not a plain int in range,
 *                   so the Python path raises the error that names it.
 *   unpack_transfers codec.unpack_transfers.
 *   checkpoint_accounts
 *                   the accounts' part of checkpoint.take: packed, their lines counted, their
 *                   snapshots and trims; None as pack_transfers.
 *   archive_counts, archive_trims, archive_drop
 *                   the loops of archive.job_through and archive.drop_archived: the archive's
 *                   work on the writer, per transfer and per account of a job.
 *
 * Records are read and made through their slots (`Transfer` and `LiveAccount` are slotted
 * classes): the offsets come from the classes' own member descriptors at `configure`, so the
 * Python classes stay the one definition of the fields. Any object that is not exactly of
 * the configured class, or any value the fast path does not expect, sends the event back to
 * Python rather than guess.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef unsigned long long u64;

/* The fields of a transfer, in the order of the dataclass (model.Transfer). */
enum {
    T_ID, T_DR, T_CR, T_AMOUNT, T_LEDGER, T_CODE, T_FLAGS, T_PENDING_ID, T_TIMEOUT,
    T_UD128, T_UD64, T_UD32, T_TIMESTAMP, T_FIELDS
};
static const char *transfer_fields[T_FIELDS] = {
    "id", "debit_account_id", "credit_account_id", "amount", "ledger", "code", "flags",
    "pending_id", "timeout", "user_data_128", "user_data_64", "user_data_32", "timestamp",
};

/* The fields of the writer's account record (state.LiveAccount) this path reads or changes. */
enum {
    A_LEDGER, A_FLAGS, A_DR_PENDING, A_DR_POSTED, A_CR_PENDING, A_CR_POSTED, A_LINES,
    A_CHECKPOINTS, A_TRIMMED, A_SUMS, A_ID, A_FIELDS
};
static const char *account_fields[A_FIELDS] = {
    "ledger", "flags", "debits_pending", "debits_posted", "credits_pending", "credits_posted",
    "lines", "checkpoints", "trimmed", "sums", "id",
};

/* A codec record's fields: six u128, then seven narrower (pack_record). */
enum { RECORD_WIDE = 6, RECORD_TAIL = 7, RECORD_FIELDS = RECORD_WIDE + RECORD_TAIL };
/* A transfer's fields in the codec's order. */
static const int transfer_pack_fields[RECORD_FIELDS] = {
    T_ID, T_DR, T_CR, T_AMOUNT, T_PENDING_ID, T_UD128,
    T_UD64, T_UD32, T_TIMEOUT, T_LEDGER, T_CODE, T_FLAGS, T_TIMESTAMP,
};
/* An account's, as codec.pack_accounts packs them. */
static const char *account_pack_fields[RECORD_FIELDS] = {
    "id", "debits_pending", "debits_posted", "credits_pending", "credits_posted",
    "user_data_128", "user_data_64", "user_data_32", "reserved", "ledger", "code", "flags",
    "timestamp",
};

static struct {
    int configured;
    PyTypeObject *transfer_type;
    PyTypeObject *account_type;
    Py_ssize_t t_off[T_FIELDS];
    Py_ssize_t a_off[A_FIELDS];
    Py_ssize_t p_off[RECORD_FIELDS];
    Py_ssize_t t_pack_off[RECORD_FIELDS];
    u64 checkpoint_mask;
    Py_ssize_t sums_dr_posted;
    Py_ssize_t sums_cr_posted;
    u64 a_dr_limit;
    u64 a_cr_limit;
    u64 a_closed;
    u64 filter_mix;
    PyObject *zero;
    PyObject *exceeds_credits; /* CreateTransferResult members, as the Python path records */
    PyObject *exceeds_debits;
} cfg;

#define SLOT(obj, off) (*(PyObject **)((char *)(obj) + (off)))

/* Append a new reference to a list, giving it up either way: 0, or -1 with an error set. */
static int append_new(PyObject *list, PyObject *item)
{
    if (item == NULL) {
        return -1;
    }
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

static int slot_offset(PyTypeObject *type, const char *name, Py_ssize_t *out)
{
    PyObject *descr = PyObject_GetAttrString((PyObject *)type, name);
    if (descr == NULL) {
        return -1;
    }
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", type->tp_name, name);
        Py_DECREF(descr);
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    if (member->type != T_OBJECT_EX) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot", type->tp_name, name);
        Py_DECREF(descr);
        return -1;
    }
    *out = member->offset;
    Py_DECREF(descr);
    return 0;
}

static PyObject *configure(PyObject *module, PyObject *args)
{
    PyObject *transfer_type, *account_type, *exceeds_credits, *exceeds_debits;
    unsigned long long checkpoint_mask, a_dr_limit, a_cr_limit, a_closed, filter_mix;
    Py_ssize_t sums_dr_posted, sums_cr_posted;
    if (!PyArg_ParseTuple(args, "O!O!KnnKKKKOO", &PyType_Type, &transfer_type, &PyType_Type,
                          &account_type, &checkpoint_mask, &sums_dr_posted, &sums_cr_posted,
                          &a_dr_limit, &a_cr_limit, &a_closed, &filter_mix, &exceeds_credits,
                          &exceeds_debits)) {
        return NULL;
    }
    for (int i = 0; i < T_FIELDS; i++) {
        if (slot_offset((PyTypeObject *)transfer_type, transfer_fields[i], &cfg.t_off[i]) < 0) {
            return NULL;
        }
    }
    for (int i = 0; i < A_FIELDS; i++) {
        if (slot_offset((PyTypeObject *)account_type, account_fields[i], &cfg.a_off[i]) < 0) {
            return NULL;
        }
    }
    for (int i = 0; i < RECORD_FIELDS; i++) {
        cfg.t_pack_off[i] = cfg.t_off[transfer_pack_fields[i]];
    }
    for (int i = 0; i < RECORD_FIELDS; i++) {
        if (slot_offset((PyTypeObject *)account_type, account_pack_fields[i], &cfg.p_off[i])
            < 0) {
            return NULL;
        }
    }
    Py_INCREF(transfer_type);
    Py_XSETREF(cfg.transfer_type, (PyTypeObject *)transfer_type);
    Py_INCREF(account_type);
    Py_XSETREF(cfg.account_type, (PyTypeObject *)account_type);
    cfg.checkpoint_mask = checkpoint_mask;
    cfg.sums_dr_posted = sums_dr_posted;
    cfg.sums_cr_posted = sums_cr_posted;
    cfg.a_dr_limit = a_dr_limit;
    cfg.a_cr_limit = a_cr_limit;
    cfg.a_closed = a_closed;
    cfg.filter_mix = filter_mix;
    Py_INCREF(exceeds_credits);
    Py_XSETREF(cfg.exceeds_credits, exceeds_credits);
    Py_INCREF(exceeds_debits);
    Py_XSETREF(cfg.exceeds_debits, exceeds_debits);
    if (cfg.zero == NULL) {
        cfg.zero = PyLong_FromLong(0);
        if (cfg.zero == NULL) {
            return NULL;
        }
    }
    cfg.configured = 1;
    Py_RETURN_NONE;
}

/* An exact int in 0..2**bits-1 as an unsigned integer: 1, or 0 (and no error set) when the
 * value is anything else. */
static int as_unsigned(PyObject *v, int bits, u128 *out)
{
    if (v == NULL || !PyLong_CheckExact(v)) {
        return 0;
    }
#if PY_VERSION_HEX < 0x030C0000
    /* CPython 3.11's int: |ob_size| digits of PyLong_SHIFT bits, least significant first,
     * the sign in ob_size's. Read in place: _PyLong_AsByteArray, general and byte by byte,
     * was a sixth of the process's time in `colony bench ledger` (23 reads a transfer). */
    Py_ssize_t size = Py_SIZE(v);
    if (size < 0) {
        return 0;
    }
    const digit *d = ((PyLongObject *)v)->ob_digit;
    u128 x = 0;
    for (Py_ssize_t k = size - 1; k >= 0; k--) {
        if (x >> (128 - PyLong_SHIFT)) {
            return 0; /* the next shift would pass 128 bits */
        }
        x = (x << PyLong_SHIFT) | d[k];
    }
#else
    unsigned char bytes[16];
#if PY_VERSION_HEX >= 0x030D0000
    Py_ssize_t need = PyLong_AsNativeBytes(
        v, bytes, 16, Py_ASNATIVEBYTES_LITTLE_ENDIAN | Py_ASNATIVEBYTES_UNSIGNED_BUFFER
                          | Py_ASNATIVEBYTES_REJECT_NEGATIVE);
    if (need < 0) {
        PyErr_Clear();
        return 0;
    }
    if (need > 16) {
        return 0;
    }
#else
    if (_PyLong_AsByteArray((PyLongObject *)v, bytes, 16, 1, 0) < 0) {
        PyErr_Clear();
        return 0;
    }
#endif
    u128 x = 0;
    for (int i = 15; i >= 0; i--) {
        x = (x << 8) | bytes[i];
    }
#endif
    if (bits < 128 && (x >> bits) != 0) {
        return 0;
    }
    *out = x;
    return 1;
}

/* A transfer made here holds ints only, so it can be in no reference cycle: it is taken off
 * the cyclic collector's lists, which otherwise walked every transfer of the window again
 * at each collection of its generation (an eighth of `colony bench ledger`'s time in the
 * collector's visits). Reference counting still frees it. */
static void untrack(PyObject *obj)
{
    if (PyObject_IS_GC(obj)) {
        PyObject_GC_UnTrack(obj);
    }
}

/* `untrack` of a new object (NULL passed through), for the tuples made here that hold
 * only ints and accounts: a trim, a snapshot. None can be in a cycle; tracked, each was
 * visited at the next young collection, and each visit read its account's header, a
 * miss of the cache for every account a job touched (a tenth of the writer's share of the
 * interpreter's lock went to those collections, py-spy --gil, issue 12). */
static PyObject *untracked(PyObject *obj)
{
    if (obj != NULL) {
        untrack(obj);
    }
    return obj;
}

static PyObject *from_u128(u128 x)
{
    if ((x >> 64) == 0) {
        return PyLong_FromUnsignedLongLong((u64)x);
    }
    unsigned char bytes[16];
    for (int i = 0; i < 16; i++) {
        bytes[i] = (unsigned char)(x >> (8 * i));
    }
    return _PyLong_FromByteArray(bytes, 16, 1, 0);
}

static const u128 U128_MAX = ~(u128)0;

/* a + b + c > U128_MAX, for unsigned 128-bit a, b, c. */
static int sum_passes_max(u128 a, u128 b, u128 c)
{
    u128 ab = a + b;
    if (ab < a) {
        return 1;
    }
    return ab + c < ab;
}

/* a + b + c > d, exactly. */
static int sum_passes(u128 a, u128 b, u128 c, u128 d)
{
    if (sum_passes_max(a, b, c)) {
        return 1;
    }
    return a + b + c > d;
}

/* archive.IdFilter.may_hold, on the filter's own bytes. */
static int filter_may_hold(const unsigned char *bits, u64 mask, u128 key)
{
    u64 x = ((u64)key ^ (u64)(key >> 64)) * cfg.filter_mix;
    u64 h = x & mask;
    if (!((bits[h >> 3] >> (h & 7)) & 1)) {
        return 0;
    }
    h = (x >> 32) & mask;
    return (bits[h >> 3] >> (h & 7)) & 1;
}

/* The bits of a 128-byte codec record's id (its two little-endian halves first). */
static void filter_probes(const unsigned char *record, u64 mask, u64 *h1, u64 *h2)
{
    u64 lo, hi;
    memcpy(&lo, record, 8);
    memcpy(&hi, record + 8, 8);
    u64 x = (lo ^ hi) * cfg.filter_mix;
    *h1 = x & mask;
    *h2 = (x >> 32) & mask;
}

/* A codec record's size (codec.py), and how many records ahead filter_add_records asks for
 * the bytes it will set. */
#define RECORD_BYTES 128
#define FILTER_LOOK_AHEAD 16

/* archive.IdFilter.add_records: the two bits of each record's id set, the interpreter's lock
 * let go meanwhile (the writer's own filter: it drops the job's transfers from memory only
 * after this returns). Each bit is a random byte of megabytes: asked for ahead, so the waits
 * on memory overlap. */
static PyObject *filter_add_records(PyObject *module, PyObject *args)
{
    Py_buffer bits, records;
    unsigned long long mask;
    if (!PyArg_ParseTuple(args, "w*Ky*", &bits, &mask, &records)) {
        return NULL;
    }
    if ((mask & (mask + 1)) != 0 || (u64)bits.len * 8 != (u64)mask + 1
        || records.len % RECORD_BYTES != 0) {
        PyBuffer_Release(&bits);
        PyBuffer_Release(&records);
        PyErr_SetString(PyExc_ValueError,
                        "the filter's bytes must hold mask + 1 bits, the records 128 bytes each");
        return NULL;
    }
    unsigned char *b = bits.buf;
    const unsigned char *r = records.buf;
    Py_ssize_t n = records.len / RECORD_BYTES;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        u64 h1, h2;
        if (i + FILTER_LOOK_AHEAD < n) {
            filter_probes(r + (i + FILTER_LOOK_AHEAD) * RECORD_BYTES, mask, &h1, &h2);
            __builtin_prefetch(b + (h1 >> 3), 1);
            __builtin_prefetch(b + (h2 >> 3), 1);
        }
        filter_probes(r + i * RECORD_BYTES, mask, &h1, &h2);
        b[h1 >> 3] |= (unsigned char)(1u << (h1 & 7));
        b[h2 >> 3] |= (unsigned char)(1u << (h2 & 7));
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&bits);
    PyBuffer_Release(&records);
    Py_RETURN_NONE;
}

/* state.record: a balance snapshot every checkpoint_lines lines, then the line. */
static int record_line(PyObject *account, PyObject *line)
{
    PyObject *lines = SLOT(account, cfg.a_off[A_LINES]);
    PyObject *trimmed_obj = SLOT(account, cfg.a_off[A_TRIMMED]);
    Py_ssize_t n = PyList_GET_SIZE(lines);
    Py_ssize_t trimmed = PyLong_AsSsize_t(trimmed_obj);
    if (trimmed == -1 && PyErr_Occurred()) {
        return -1;
    }
    u64 whole = (u64)(n + trimmed);
    if (whole && !(whole & cfg.checkpoint_mask)) {
        PyObject *snapshot = untracked(Py_BuildValue(
            "(nOOOO)", n, SLOT(account, cfg.a_off[A_DR_PENDING]),
            SLOT(account, cfg.a_off[A_DR_POSTED]), SLOT(account, cfg.a_off[A_CR_PENDING]),
            SLOT(account, cfg.a_off[A_CR_POSTED])));
        if (append_new(SLOT(account, cfg.a_off[A_CHECKPOINTS]), snapshot) < 0) {
            return -1;
        }
    }
    return PyList_Append(lines, line);
}

/* slot += amount, for an account's balance. */
static int add_to_slot(PyObject *obj, Py_ssize_t off, PyObject *amount)
{
    PyObject *sum = PyNumber_Add(SLOT(obj, off), amount);
    if (sum == NULL) {
        return -1;
    }
    Py_SETREF(SLOT(obj, off), sum);
    return 0;
}

/* sums[index] += amount. */
static int add_to_item(PyObject *list, Py_ssize_t index, PyObject *amount)
{
    if (!PyList_CheckExact(list) || index >= PyList_GET_SIZE(list)) {
        PyErr_SetString(PyExc_RuntimeError, "an account's sums are not a list of five");
        return -1;
    }
    PyObject *sum = PyNumber_Add(PyList_GET_ITEM(list, index), amount);
    if (sum == NULL) {
        return -1;
    }
    return PyList_SetItem(list, index, sum); /* steals the new sum */
}

/* Every account field this path reads, present and of the expected kind. */
static int account_usable(PyObject *a)
{
    if (a == NULL || Py_TYPE(a) != cfg.account_type) {
        return 0;
    }
    for (int i = 0; i < A_FIELDS; i++) {
        if (SLOT(a, cfg.a_off[i]) == NULL) {
            return 0;
        }
    }
    return PyList_CheckExact(SLOT(a, cfg.a_off[A_LINES]))
           && PyList_CheckExact(SLOT(a, cfg.a_off[A_CHECKPOINTS]))
           && PyList_CheckExact(SLOT(a, cfg.a_off[A_SUMS]));
}

/* The accounts of the next LOOK_AHEAD transfers, found before any of them is applied, and
 * their records asked into the cache. The loop is bound by memory (two accounts' records of
 * 100,000, the id maps): one transfer's lookups wait for memory one after another, while
 * lookups for several independent transfers overlap. Nothing here may fail or run Python:
 * an id that is not an exact int is left for the loop, which refuses it as before, and a
 * lookup error is left for the loop's own lookup to raise. Borrowed references: the
 * accounts map does not change while transfers are applied. */
enum { LOOK_AHEAD = 16 };

/* Ask the cache for an account's record: a LiveAccount's slots span about three lines. */
static void prefetch_record(PyObject *account)
{
    __builtin_prefetch(account);
    __builtin_prefetch((char *)account + 64);
    __builtin_prefetch((char *)account + 128);
}

/* Ask the cache for an account's lists of lines and snapshots (its record asked for first:
 * the slots are read here). Anything but an account record is passed over. */
static void prefetch_lists(PyObject *account)
{
    if (Py_TYPE(account) == cfg.account_type) {
        __builtin_prefetch(SLOT(account, cfg.a_off[A_LINES]));
        __builtin_prefetch(SLOT(account, cfg.a_off[A_CHECKPOINTS]));
    }
}

static void look_ahead(PyObject *events, Py_ssize_t from, Py_ssize_t to, PyObject *accounts,
                       PyObject **drs, PyObject **crs)
{
    for (Py_ssize_t j = from; j < to; j++) {
        PyObject *t = PyList_GET_ITEM(events, j);
        PyObject *found[2] = {NULL, NULL};
        if (Py_TYPE(t) == cfg.transfer_type) {
            PyObject *ids[2] = {SLOT(t, cfg.t_off[T_DR]), SLOT(t, cfg.t_off[T_CR])};
            for (int k = 0; k < 2; k++) {
                if (ids[k] == NULL || !PyLong_CheckExact(ids[k])) {
                    continue;
                }
                found[k] = PyDict_GetItemWithError(accounts, ids[k]);
                if (found[k] == NULL) {
                    PyErr_Clear();
                    continue;
                }
                prefetch_record(found[k]);
            }
        }
        drs[j - from] = found[0];
        crs[j - from] = found[1];
    }
    /* Then what applying reads of each record, now that the records are on their way: its
     * balances (ints of their own, scattered) and its list of history lines. */
    for (Py_ssize_t j = 0; j < to - from; j++) {
        PyObject *pair[2] = {drs[j], crs[j]};
        for (int k = 0; k < 2; k++) {
            if (pair[k] == NULL || Py_TYPE(pair[k]) != cfg.account_type) {
                continue;
            }
            for (int f = A_DR_PENDING; f <= A_LINES; f++) {
                __builtin_prefetch(SLOT(pair[k], cfg.a_off[f])); /* NULL is harmless here */
            }
        }
    }
}

/* apply_plain(events, start, stop, base_timestamp, transfers, failed_ids, failed_at,
 *             results, accounts, filter_bits or None, filter_mask, filter_top)
 *   -> the index of the first event not decided (applied, or refused by a limit). */
static PyObject *apply_plain(PyObject *module, PyObject *args)
{
    PyObject *events, *transfers, *failed_ids, *failed_at, *results, *accounts, *filter_obj;
    PyObject *top_obj;
    Py_ssize_t start, stop;
    long long base;
    unsigned long long filter_mask;
    if (!PyArg_ParseTuple(args, "O!nnLO!O!O!O!O!OKO", &PyList_Type, &events, &start, &stop,
                          &base, &PyDict_Type, &transfers, &PyDict_Type, &failed_ids,
                          &PyDict_Type, &failed_at, &PyList_Type, &results, &PyDict_Type,
                          &accounts, &filter_obj, &filter_mask, &top_obj)) {
        return NULL;
    }
    u128 filter_top; /* the largest archived id: above it, none is archived (ADR 0077) */
    if (!as_unsigned(top_obj, 128, &filter_top)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "the id filter's top is not a u128");
        }
        return NULL;
    }
    if (!cfg.configured) {
        PyErr_SetString(PyExc_RuntimeError, "colony.ledger._native is not configured");
        return NULL;
    }
    const unsigned char *filter_bits = NULL;
    if (filter_obj != Py_None) {
        if (!PyByteArray_CheckExact(filter_obj)
            || (u64)PyByteArray_GET_SIZE(filter_obj) * 8 != filter_mask + 1) {
            PyErr_SetString(PyExc_ValueError, "the id filter's bytes do not match its mask");
            return NULL;
        }
        filter_bits = (const unsigned char *)PyByteArray_AS_STRING(filter_obj);
    }
    if (start < 0 || stop > PyList_GET_SIZE(events) || start > stop
        || stop > PyList_GET_SIZE(results)) {
        PyErr_SetString(PyExc_IndexError, "events out of range, or more than results");
        return NULL;
    }
    const Py_ssize_t *to = cfg.t_off;
    const Py_ssize_t *ao = cfg.a_off;
    PyObject *ahead_dr[LOOK_AHEAD], *ahead_cr[LOOK_AHEAD];
    Py_ssize_t ahead_from = start, ahead_to = start;
    Py_ssize_t i;
    for (i = start; i < stop; i++) {
        PyObject *t = PyList_GET_ITEM(events, i);
        if (Py_TYPE(t) != cfg.transfer_type) {
            break;
        }
        u128 tid, dr_id, cr_id, amount, flags, zero_check, ledger, code;
        PyObject *tid_obj = SLOT(t, to[T_ID]);
        PyObject *dr_obj = SLOT(t, to[T_DR]);
        PyObject *cr_obj = SLOT(t, to[T_CR]);
        PyObject *amount_obj = SLOT(t, to[T_AMOUNT]);
        if (!as_unsigned(SLOT(t, to[T_FLAGS]), 16, &flags) || flags != 0
            || !as_unsigned(tid_obj, 128, &tid) || !as_unsigned(dr_obj, 128, &dr_id)
            || !as_unsigned(cr_obj, 128, &cr_id) || !as_unsigned(amount_obj, 128, &amount)
            || !(tid > 0 && tid < U128_MAX) || !(dr_id > 0 && dr_id < U128_MAX)
            || !(cr_id > 0 && cr_id < U128_MAX) || dr_id == cr_id
            || !as_unsigned(SLOT(t, to[T_TIMESTAMP]), 64, &zero_check) || zero_check != 0
            || !as_unsigned(SLOT(t, to[T_PENDING_ID]), 128, &zero_check) || zero_check != 0
            || !as_unsigned(SLOT(t, to[T_TIMEOUT]), 32, &zero_check) || zero_check != 0
            || !as_unsigned(SLOT(t, to[T_LEDGER]), 32, &ledger) || ledger == 0
            || !as_unsigned(SLOT(t, to[T_CODE]), 16, &code) || code == 0
            || SLOT(t, to[T_UD128]) == NULL || SLOT(t, to[T_UD64]) == NULL
            || SLOT(t, to[T_UD32]) == NULL) {
            break;
        }
        int seen = PyDict_Contains(transfers, tid_obj);
        if (seen < 0) {
            return NULL;
        }
        if (seen) {
            break;
        }
        seen = PyDict_Contains(failed_ids, tid_obj);
        if (seen < 0) {
            return NULL;
        }
        if (seen) {
            break;
        }
        if (filter_bits != NULL && tid <= filter_top
            && filter_may_hold(filter_bits, filter_mask, tid)) {
            break; /* perhaps archived: the Python path reads the disk */
        }
        if (i >= ahead_to) {
            ahead_from = i;
            ahead_to = stop - i > LOOK_AHEAD ? i + LOOK_AHEAD : stop;
            look_ahead(events, ahead_from, ahead_to, accounts, ahead_dr, ahead_cr);
        }
        /* Found ahead, or (not found there) looked up again here, where an error is raised. */
        PyObject *dr = ahead_dr[i - ahead_from];
        if (dr == NULL && (dr = PyDict_GetItemWithError(accounts, dr_obj)) == NULL
            && PyErr_Occurred()) {
            return NULL;
        }
        PyObject *cr = ahead_cr[i - ahead_from];
        if (cr == NULL && (cr = PyDict_GetItemWithError(accounts, cr_obj)) == NULL
            && PyErr_Occurred()) {
            return NULL;
        }
        if (!account_usable(dr) || !account_usable(cr)) {
            break;
        }
        u128 dr_ledger, cr_ledger, dr_flags, cr_flags, dr_dp, dr_dpo, dr_cpo, cr_cp, cr_cpo,
            cr_dpo;
        if (!as_unsigned(SLOT(dr, ao[A_LEDGER]), 32, &dr_ledger)
            || !as_unsigned(SLOT(cr, ao[A_LEDGER]), 32, &cr_ledger) || dr_ledger != ledger
            || cr_ledger != ledger || !as_unsigned(SLOT(dr, ao[A_FLAGS]), 16, &dr_flags)
            || !as_unsigned(SLOT(cr, ao[A_FLAGS]), 16, &cr_flags)
            || ((dr_flags | cr_flags) & cfg.a_closed)
            || !as_unsigned(SLOT(dr, ao[A_DR_PENDING]), 128, &dr_dp)
            || !as_unsigned(SLOT(dr, ao[A_DR_POSTED]), 128, &dr_dpo)
            || !as_unsigned(SLOT(dr, ao[A_CR_POSTED]), 128, &dr_cpo)
            || !as_unsigned(SLOT(cr, ao[A_CR_PENDING]), 128, &cr_cp)
            || !as_unsigned(SLOT(cr, ao[A_CR_POSTED]), 128, &cr_cpo)
            || !as_unsigned(SLOT(cr, ao[A_DR_POSTED]), 128, &cr_dpo)) {
            break;
        }
        /* The Python path's checks, term for term: no balance past 2**128-1 (each of its four
         * overflow rules is implied by one of these two sums), then no limit passed. */
        if (sum_passes_max(dr_dpo, amount, dr_dp) || sum_passes_max(cr_cpo, amount, cr_cp)) {
            break;
        }
        PyObject *refused = NULL;
        if ((dr_flags & cfg.a_dr_limit) && sum_passes(dr_dpo, amount, dr_dp, dr_cpo)) {
            refused = cfg.exceeds_credits;
        } else if ((cr_flags & cfg.a_cr_limit) && sum_passes(cr_cpo, amount, cr_cp, cr_dpo)) {
            refused = cfg.exceeds_debits;
        }
        if (refused != NULL) {
            /* Every earlier rule passed, so this is the result code; both are transient, so
             * the id is burned at this event's timestamp, as transfers.create_transfers does. */
            PyObject *at = PyLong_FromLongLong(base + (long long)i);
            if (at == NULL) {
                return NULL;
            }
            int failed = PyDict_SetItem(failed_ids, tid_obj, refused) < 0
                         || PyDict_SetItem(failed_at, tid_obj, at) < 0;
            Py_DECREF(at);
            if (failed) {
                return NULL;
            }
            Py_INCREF(refused);
            PyList_SetItem(results, i, refused); /* in range (checked above); steals */
            continue;
        }
        /* Every rule passed: apply, as _create_plain_transfer does. */
        PyObject *stored = cfg.transfer_type->tp_alloc(cfg.transfer_type, 0);
        if (stored == NULL) {
            return NULL;
        }
        untrack(stored);
        PyObject *timestamp = PyLong_FromLongLong(base + (long long)i);
        if (timestamp == NULL) {
            Py_DECREF(stored);
            return NULL;
        }
        /* The accounts' own id objects, not the event's equal ones: every later lookup of
         * this transfer's accounts (archiving it, statements) then matches the accounts map's
         * key by identity, without reading a second int from memory, and a window of
         * transfers holds no copies of their accounts' ids. */
        PyObject *values[T_FIELDS] = {
            tid_obj, SLOT(dr, ao[A_ID]), SLOT(cr, ao[A_ID]), amount_obj, SLOT(t, to[T_LEDGER]),
            SLOT(t, to[T_CODE]), cfg.zero, cfg.zero, cfg.zero, SLOT(t, to[T_UD128]),
            SLOT(t, to[T_UD64]), SLOT(t, to[T_UD32]), timestamp,
        };
        for (int f = 0; f < T_FIELDS; f++) {
            if (f != T_TIMESTAMP) {
                Py_INCREF(values[f]);
            }
            SLOT(stored, to[f]) = values[f];
        }
        int failed = PyDict_SetItem(transfers, tid_obj, stored);
        if (!failed) {
            failed = record_line(dr, stored) || record_line(cr, stored)
                     || add_to_slot(dr, ao[A_DR_POSTED], amount_obj)
                     || add_to_slot(cr, ao[A_CR_POSTED], amount_obj)
                     || add_to_item(SLOT(dr, ao[A_SUMS]), cfg.sums_dr_posted, amount_obj)
                     || add_to_item(SLOT(cr, ao[A_SUMS]), cfg.sums_cr_posted, amount_obj);
        }
        Py_DECREF(stored);
        if (failed) {
            return NULL;
        }
    }
    return PyLong_FromSsize_t(i);
}

/* codec.pack_transfers, or None when a field is not an int in range (Python names it). */
/* One codec record (128 bytes at `r`) from a slotted object: the 13 fields at `off`, in the
 * codec's order, six u128 as (lo, hi) u64 pairs, then u64, u32, u32, u32, u16, u16, u64,
 * little-endian (the layout of transfers and accounts alike). 1, or 0 when a field is not a
 * plain int in its range. */
static const int record_tail_bytes[RECORD_TAIL] = {8, 4, 4, 4, 2, 2, 8};

static int pack_record(PyObject *obj, const Py_ssize_t *off, unsigned char *r)
{
    for (int k = 0; k < RECORD_FIELDS; k++) {
        int bytes = k < RECORD_WIDE ? 16 : record_tail_bytes[k - RECORD_WIDE];
        u128 v;
        if (!as_unsigned(SLOT(obj, off[k]), bytes * 8, &v)) {
            return 0;
        }
        for (int b = 0; b < bytes; b++) {
            r[b] = (unsigned char)(v >> (8 * b));
        }
        r += bytes;
    }
    return 1;
}

static PyObject *pack_transfers(PyObject *module, PyObject *events)
{
    if (!cfg.configured) {
        PyErr_SetString(PyExc_RuntimeError, "colony.ledger._native is not configured");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(events, "events must be a sequence");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 128);
    if (out == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, i);
        if (Py_TYPE(t) != cfg.transfer_type || !pack_record(t, cfg.t_pack_off, p + i * 128)) {
            goto unpackable;
        }
    }
    Py_DECREF(seq);
    return out;
unpackable:
    Py_DECREF(seq);
    Py_DECREF(out);
    Py_RETURN_NONE;
}

/* The accounts' part of checkpoint.take, in one pass over the writer's account records
 * while the writer holds still: (packed as codec.pack_accounts, each account's count of
 * lines as an array("q"), {index: checkpoints} of those with balance snapshots, {index:
 * trimmed} of those with lines on disk). A million accounts took 1.0 s in Python, most of it
 * the arithmetic that splits each u128 (0.7 s), then a pass over the records for each of
 * the other three. None when any item is not exactly the configured account class or any
 * field is not what the Python path expects, so that path takes them all. */
static PyObject *checkpoint_accounts(PyObject *module, PyObject *accounts)
{
    if (!cfg.configured) {
        PyErr_SetString(PyExc_RuntimeError, "colony.ledger._native is not configured");
        return NULL;
    }
    if (!PyList_CheckExact(accounts)) {
        PyErr_SetString(PyExc_TypeError, "accounts must be a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(accounts);
    PyObject *packed = PyBytes_FromStringAndSize(NULL, n * 128);
    PyObject *counts = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(long long));
    PyObject *snapshots = PyDict_New();
    PyObject *trimmed = PyDict_New();
    PyObject *result = NULL;
    if (packed == NULL || counts == NULL || snapshots == NULL || trimmed == NULL) {
        goto done;
    }
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(packed);
    long long *count = (long long *)PyBytes_AS_STRING(counts);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = PyList_GET_ITEM(accounts, i);
        if (Py_TYPE(a) != cfg.account_type) {
            goto unpackable;
        }
        if (!pack_record(a, cfg.p_off, p + i * 128)) {
            goto unpackable;
        }
        PyObject *lines = SLOT(a, cfg.a_off[A_LINES]);
        PyObject *checkpoints = SLOT(a, cfg.a_off[A_CHECKPOINTS]);
        PyObject *trim = SLOT(a, cfg.a_off[A_TRIMMED]);
        u128 trim_v;
        if (lines == NULL || !PyList_CheckExact(lines) || checkpoints == NULL
            || !PyList_CheckExact(checkpoints) || !as_unsigned(trim, 63, &trim_v)) {
            goto unpackable;
        }
        count[i] = (long long)PyList_GET_SIZE(lines);
        if (PyList_GET_SIZE(checkpoints) || trim_v) {
            PyObject *index = PyLong_FromSsize_t(i);
            if (index == NULL) {
                goto done;
            }
            int failed = (PyList_GET_SIZE(checkpoints)
                          && PyDict_SetItem(snapshots, index, checkpoints) < 0)
                         || (trim_v && PyDict_SetItem(trimmed, index, trim) < 0);
            Py_DECREF(index);
            if (failed) {
                goto done;
            }
        }
    }
    result = PyTuple_Pack(4, packed, counts, snapshots, trimmed);
    goto done;
unpackable:
    result = Py_None;
    Py_INCREF(result);
done:
    Py_XDECREF(packed);
    Py_XDECREF(counts);
    Py_XDECREF(snapshots);
    Py_XDECREF(trimmed);
    return result;
}

static u128 read_le(const unsigned char *r, int bytes)
{
    u128 v = 0;
    for (int b = bytes - 1; b >= 0; b--) {
        v = (v << 8) | r[b];
    }
    return v;
}

/* codec.unpack_transfers. */
static PyObject *unpack_transfers(PyObject *module, PyObject *arg)
{
    if (!cfg.configured) {
        PyErr_SetString(PyExc_RuntimeError, "colony.ledger._native is not configured");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    if (view.len % 128) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "%zd bytes are not whole 128-byte transfers", view.len);
        return NULL;
    }
    Py_ssize_t n = view.len / 128;
    PyObject *list = PyList_New(n);
    if (list == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    static const int order[T_FIELDS] = {T_ID, T_DR, T_CR, T_AMOUNT, T_PENDING_ID, T_UD128,
                                        T_UD64, T_UD32, T_TIMEOUT, T_LEDGER, T_CODE, T_FLAGS,
                                        T_TIMESTAMP};
    static const int width[T_FIELDS] = {16, 16, 16, 16, 16, 16, 8, 4, 4, 4, 2, 2, 8};
    const unsigned char *p = (const unsigned char *)view.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = cfg.transfer_type->tp_alloc(cfg.transfer_type, 0);
        if (t == NULL) {
            goto failed;
        }
        untrack(t);
        PyList_SET_ITEM(list, i, t);
        const unsigned char *r = p + i * 128;
        for (int k = 0; k < T_FIELDS; k++) {
            PyObject *v = from_u128(read_le(r, width[k]));
            if (v == NULL) {
                goto failed;
            }
            SLOT(t, cfg.t_off[order[k]]) = v;
            r += width[k];
        }
    }
    PyBuffer_Release(&view);
    return list;
failed:
    PyBuffer_Release(&view);
    Py_DECREF(list);
    return NULL;
}

/* ---------------------------------------------------------------------------------------
 * The archive's work on the writer (archive.py): counting each account's lines in a job,
 * finding what each account gives up, and dropping it once the job is durable. */

static PyObject *slot_of(PyObject *obj, Py_ssize_t off)
{
    PyObject *v = SLOT(obj, off);
    if (v == NULL) {
        PyErr_SetString(PyExc_AttributeError, "a record's field is not set");
    }
    return v;
}

/* archive_counts(chunk, post_or_void_flags) -> (lines per account id, indexes of posts and
 * voids): archive.job_through's loop over the job's transfers, in the same order. */
static PyObject *archive_counts(PyObject *module, PyObject *args)
{
    PyObject *chunk;
    unsigned long long post_or_void;
    if (!PyArg_ParseTuple(args, "O!K", &PyList_Type, &chunk, &post_or_void)) {
        return NULL;
    }
    PyObject *counts = PyDict_New();
    PyObject *resolved = PyList_New(0);
    if (counts == NULL || resolved == NULL) {
        goto failed;
    }
    const Py_ssize_t *to = cfg.t_off;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunk); i++) {
        PyObject *t = PyList_GET_ITEM(chunk, i);
        if (Py_TYPE(t) != cfg.transfer_type) {
            PyErr_SetString(PyExc_TypeError, "an archive job holds a transfer of another class");
            goto failed;
        }
        PyObject *flags_obj = slot_of(t, to[T_FLAGS]);
        if (flags_obj == NULL) {
            goto failed;
        }
        unsigned long long flags = PyLong_AsUnsignedLongLong(flags_obj);
        if (flags == (unsigned long long)-1 && PyErr_Occurred()) {
            goto failed;
        }
        if (flags & post_or_void) {
            if (append_new(resolved, PyLong_FromSsize_t(i)) < 0) {
                goto failed;
            }
        }
        for (int side = 0; side < 2; side++) {
            PyObject *id = slot_of(t, to[side == 0 ? T_DR : T_CR]);
            if (id == NULL) {
                goto failed;
            }
            PyObject *seen = PyDict_GetItemWithError(counts, id);
            long long n = 0;
            if (seen != NULL) {
                n = PyLong_AsLongLong(seen);
            } else if (PyErr_Occurred()) {
                goto failed;
            }
            PyObject *more = PyLong_FromLongLong(n + 1);
            if (more == NULL || PyDict_SetItem(counts, id, more) < 0) {
                Py_XDECREF(more);
                goto failed;
            }
            Py_DECREF(more);
        }
    }
    return Py_BuildValue("(NN)", counts, resolved);
failed:
    Py_XDECREF(counts);
    Py_XDECREF(resolved);
    return NULL;
}

/* archive_trims(accounts, counts) -> (snapshots, trims), or None where an account holds
 * fewer lines than counted (the Python path then searches): job_through's loop over the
 * accounts. A snapshot is (account id, timestamp of its line, (four balances)); a trim is
 * (account, lines going, snapshots going). */
static PyObject *archive_trims(PyObject *module, PyObject *args)
{
    PyObject *accounts, *counts;
    if (!PyArg_ParseTuple(args, "O!O!", &PyDict_Type, &accounts, &PyDict_Type, &counts)) {
        return NULL;
    }
    PyObject *snapshots = PyList_New(0);
    PyObject *trims = PyList_New(0);
    if (snapshots == NULL || trims == NULL) {
        goto failed;
    }
    const Py_ssize_t *ao = cfg.a_off;
    Py_ssize_t pos = 0;
    /* LOOK_AHEAD accounts at a time, found (and their records and lines asked into the
     * cache) before any of them is read, as apply_plain does: their waits overlap. */
    PyObject *ids[LOOK_AHEAD], *counted[LOOK_AHEAD], *found[LOOK_AHEAD];
    int got = LOOK_AHEAD;
    while (got == LOOK_AHEAD) {
        for (got = 0; got < LOOK_AHEAD && PyDict_Next(counts, &pos, &ids[got], &counted[got]);
             got++) {
            found[got] = PyDict_GetItemWithError(accounts, ids[got]);
            if (found[got] == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, ids[got]);
                }
                goto failed;
            }
            prefetch_record(found[got]);
        }
        for (int g = 0; g < got; g++) {
            prefetch_lists(found[g]);
        }
        for (int g = 0; g < got; g++) {
            PyObject *account_id = ids[g], *count = counted[g], *account = found[g];
            if (!account_usable(account)) {
                PyErr_SetString(PyExc_TypeError, "an account record of another class or unset");
                goto failed;
            }
            PyObject *lines = SLOT(account, ao[A_LINES]);
            Py_ssize_t n = PyList_GET_SIZE(lines);
            if (n == 0) {
                continue;
            }
            Py_ssize_t k = PyLong_AsSsize_t(count);
            if (k == -1 && PyErr_Occurred()) {
                goto failed;
            }
            if (k > n) {
                Py_DECREF(snapshots);
                Py_DECREF(trims);
                Py_RETURN_NONE;
            }
            Py_ssize_t going = 0;
            PyObject *checkpoints = SLOT(account, ao[A_CHECKPOINTS]);
            for (Py_ssize_t c = 0; c < PyList_GET_SIZE(checkpoints); c++) {
                PyObject *cp = PyList_GET_ITEM(checkpoints, c);
                if (!PyTuple_CheckExact(cp) || PyTuple_GET_SIZE(cp) != 5) {
                    PyErr_SetString(PyExc_TypeError, "a balance snapshot is not a 5-tuple");
                    goto failed;
                }
                Py_ssize_t index = PyLong_AsSsize_t(PyTuple_GET_ITEM(cp, 0));
                if (index == -1 && PyErr_Occurred()) {
                    goto failed;
                }
                if (index >= k) {
                    break;
                }
                if (index < 0 || index >= n) {
                    PyErr_SetString(PyExc_IndexError,
                                    "a balance snapshot past its account's lines");
                    goto failed;
                }
                PyObject *ts = PyObject_GetAttrString(PyList_GET_ITEM(lines, index), "timestamp");
                if (ts == NULL) {
                    goto failed;
                }
                PyObject *snapshot = Py_BuildValue(
                    "(ON(OOOO))", account_id, ts, PyTuple_GET_ITEM(cp, 1), PyTuple_GET_ITEM(cp, 2),
                    PyTuple_GET_ITEM(cp, 3), PyTuple_GET_ITEM(cp, 4));
                if (snapshot != NULL) {
                    untrack(PyTuple_GET_ITEM(snapshot, 2));
                    untrack(snapshot);
                }
                if (append_new(snapshots, snapshot) < 0) {
                    goto failed;
                }
                going++;
            }
            if (append_new(trims, untracked(Py_BuildValue("(Onn)", account, k, going))) < 0) {
                goto failed;
            }
        }
    }
    return Py_BuildValue("(NN)", snapshots, trims);
failed:
    Py_XDECREF(snapshots);
    Py_XDECREF(trims);
    return NULL;
}

/* The cache asked for trim `i`'s account record (`lines` 0) or its lines and snapshots (1);
 * nothing is checked or changed, and a trim that is not (account, ...) is passed over. */
static void prefetch_trim(PyObject *trims, Py_ssize_t i, int lines)
{
    if (i >= PyList_GET_SIZE(trims)) {
        return;
    }
    PyObject *trim = PyList_GET_ITEM(trims, i);
    if (!PyTuple_CheckExact(trim) || PyTuple_GET_SIZE(trim) < 1) {
        return;
    }
    PyObject *account = PyTuple_GET_ITEM(trim, 0);
    if (lines) {
        prefetch_lists(account);
    } else {
        prefetch_record(account);
    }
}

/* archive_drop(transfers, held, chunk, pending_flag, trims): drop_archived's loops over the
 * job's transfers (out of memory; pending ones kept in `held`) and its trims (each account's
 * archived lines and snapshots, the rest renumbered). */
static PyObject *archive_drop(PyObject *module, PyObject *args)
{
    PyObject *transfers, *held, *chunk, *trims;
    unsigned long long pending_flag;
    if (!PyArg_ParseTuple(args, "O!O!O!KO!", &PyDict_Type, &transfers, &PyDict_Type, &held,
                          &PyList_Type, &chunk, &pending_flag, &PyList_Type, &trims)) {
        return NULL;
    }
    const Py_ssize_t *to = cfg.t_off;
    const Py_ssize_t *ao = cfg.a_off;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunk); i++) {
        PyObject *t = PyList_GET_ITEM(chunk, i);
        if (Py_TYPE(t) != cfg.transfer_type) {
            PyErr_SetString(PyExc_TypeError, "an archive job holds a transfer of another class");
            return NULL;
        }
        PyObject *tid = slot_of(t, to[T_ID]);
        PyObject *flags_obj = tid == NULL ? NULL : slot_of(t, to[T_FLAGS]);
        if (flags_obj == NULL) {
            return NULL;
        }
        if (PyDict_DelItem(transfers, tid) < 0) {
            return NULL;
        }
        unsigned long long flags = PyLong_AsUnsignedLongLong(flags_obj);
        if (flags == (unsigned long long)-1 && PyErr_Occurred()) {
            return NULL;
        }
        if ((flags & pending_flag) && PyDict_SetItem(held, tid, t) < 0) {
            return NULL;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(trims); i++) {
        /* Ask ahead for the records of later trims, then (half as far ahead, the records
         * having come) their lines, so the waits on memory overlap (as in apply_plain). */
        prefetch_trim(trims, i + LOOK_AHEAD, 0);
        prefetch_trim(trims, i + LOOK_AHEAD / 2, 1);
        PyObject *trim = PyList_GET_ITEM(trims, i);
        if (!PyTuple_CheckExact(trim) || PyTuple_GET_SIZE(trim) != 3
            || !account_usable(PyTuple_GET_ITEM(trim, 0))) {
            PyErr_SetString(PyExc_TypeError, "a trim is not (account, lines, snapshots)");
            return NULL;
        }
        PyObject *account = PyTuple_GET_ITEM(trim, 0);
        PyObject *k_obj = PyTuple_GET_ITEM(trim, 1);
        Py_ssize_t k = PyLong_AsSsize_t(k_obj);
        Py_ssize_t going = PyLong_AsSsize_t(PyTuple_GET_ITEM(trim, 2));
        if ((k == -1 || going == -1) && PyErr_Occurred()) {
            return NULL;
        }
        if (PyList_SetSlice(SLOT(account, ao[A_LINES]), 0, k, NULL) < 0
            || add_to_slot(account, ao[A_TRIMMED], k_obj) < 0) {
            return NULL;
        }
        PyObject *checkpoints = SLOT(account, ao[A_CHECKPOINTS]);
        if (going && PyList_SetSlice(checkpoints, 0, going, NULL) < 0) {
            return NULL;
        }
        Py_ssize_t left = PyList_GET_SIZE(checkpoints);
        if (!left) {
            continue;
        }
        PyObject *renumbered = PyList_New(left);
        if (renumbered == NULL) {
            return NULL;
        }
        for (Py_ssize_t c = 0; c < left; c++) {
            PyObject *cp = PyList_GET_ITEM(checkpoints, c);
            PyObject *index = PyTuple_CheckExact(cp) && PyTuple_GET_SIZE(cp) == 5
                                  ? PyNumber_Subtract(PyTuple_GET_ITEM(cp, 0), k_obj)
                                  : NULL;
            PyObject *moved = index == NULL ? NULL
                                            : untracked(Py_BuildValue(
                                                  "(NOOOO)", index, PyTuple_GET_ITEM(cp, 1),
                                                  PyTuple_GET_ITEM(cp, 2),
                                                  PyTuple_GET_ITEM(cp, 3),
                                                  PyTuple_GET_ITEM(cp, 4)));
            if (moved == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetString(PyExc_TypeError, "a balance snapshot is not a 5-tuple");
                }
                Py_DECREF(renumbered);
                return NULL;
            }
            PyList_SET_ITEM(renumbered, c, moved);
        }
        Py_SETREF(SLOT(account, ao[A_CHECKPOINTS]), renumbered);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"archive_counts", archive_counts, METH_VARARGS, "Lines per account in an archive job."},
    {"archive_trims", archive_trims, METH_VARARGS, "What each account gives up to a job."},
    {"archive_drop", archive_drop, METH_VARARGS, "Drop what a durable job covered."},
    {"filter_add_records", filter_add_records, METH_VARARGS, "Add records' ids to a filter."},
    {"configure", configure, METH_VARARGS, "Set the classes, offsets and constants."},
    {"apply_plain", apply_plain, METH_VARARGS, "Apply a run of plain transfers."},
    {"pack_transfers", pack_transfers, METH_O, "Pack transfers, or None."},
    {"checkpoint_accounts", checkpoint_accounts, METH_O, "A checkpoint's accounts, or None."},
    {"unpack_transfers", unpack_transfers, METH_O, "Unpack packed transfers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "colony.ledger._native", "The ledger's hot path in C.", -1, methods,
};

PyMODINIT_FUNC PyInit__native(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) {
        return NULL;
    }
    /* Raised when the C and Python sides disagree on what this module offers. */
    if (PyModule_AddIntConstant(m, "VERSION", 5) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
