/* The fraud model's trees walked in C (docs/adr/0100): the same sum as the Python function
 * fraud_model._compiled makes of them, which stays the reference and the fallback
 * (fraud_model.py chooses).
 *
 *   leaves_sum(nodes, roots, x)
 *       nodes: bytes, one record per node of every tree (`NODE` below, native byte order),
 *              children numbered across the whole model;
 *       roots: bytes, each tree's first node as an int32, in the trees' order;
 *       x:     a list of the model's inputs (floats or ints).
 *       Each tree is walked from its root: at a node, go left when x[feature] <= threshold,
 *       or when x[feature] is NaN (missing) and the node sends missing values left; at a
 *       leaf (feature -1) add its value. The sum starts at 0.0 and adds the trees' leaves in
 *       order, as the Python does, so both give the same double.
 *
 * The inputs are read as doubles, as the model was trained on them (scikit-learn works in
 * float64) and as the Python reads them: an int input becomes the nearest double (too large
 * for one: OverflowError). Every index is checked against what it
 * indexes, and a child must come after its node, so a malformed model raises, never reads
 * outside its arrays, and never loops.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

typedef struct {
    int32_t feature; /* the input compared, or -1 at a leaf */
    int32_t left;
    int32_t right;
    int32_t missing_left; /* 1: a missing value (NaN) goes left */
    double threshold;
    double value; /* a leaf's log-odds */
} NODE;

/* The most inputs a model reads (the model has 22). */
#define INPUTS_MAX 256

static PyObject *leaves_sum(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 3 || !PyBytes_Check(args[0]) || !PyBytes_Check(args[1]) ||
        !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "leaves_sum(nodes: bytes, roots: bytes, x: list)");
        return NULL;
    }
    Py_ssize_t node_bytes = PyBytes_GET_SIZE(args[0]);
    Py_ssize_t root_bytes = PyBytes_GET_SIZE(args[1]);
    if (node_bytes % (Py_ssize_t)sizeof(NODE) != 0 ||
        root_bytes % (Py_ssize_t)sizeof(int32_t) != 0) {
        PyErr_SetString(PyExc_ValueError, "leaves_sum: nodes or roots of a wrong size");
        return NULL;
    }
    const NODE *nodes = (const NODE *)PyBytes_AS_STRING(args[0]);
    const int32_t *roots = (const int32_t *)PyBytes_AS_STRING(args[1]);
    Py_ssize_t n_nodes = node_bytes / (Py_ssize_t)sizeof(NODE);
    Py_ssize_t n_roots = root_bytes / (Py_ssize_t)sizeof(int32_t);

    PyObject *x = args[2];
    Py_ssize_t n_inputs = PyList_GET_SIZE(x);
    if (n_inputs > INPUTS_MAX) {
        PyErr_SetString(PyExc_ValueError, "leaves_sum: more inputs than a model reads");
        return NULL;
    }
    double inputs[INPUTS_MAX];
    for (Py_ssize_t i = 0; i < n_inputs; i++) {
        PyObject *item = PyList_GET_ITEM(x, i);
        if (PyFloat_CheckExact(item)) {
            inputs[i] = PyFloat_AS_DOUBLE(item);
            continue;
        }
        if (PyLong_CheckExact(item)) {
            inputs[i] = PyLong_AsDouble(item); /* runs no Python code */
        } else {
            /* `__float__` or `__index__` may run Python code that changes the list: the
             * item is held while it converts, and the list must still be as long after. */
            Py_INCREF(item);
            inputs[i] = PyFloat_AsDouble(item);
            Py_DECREF(item);
        }
        if (inputs[i] == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
        if (PyList_GET_SIZE(x) != n_inputs) {
            PyErr_SetString(PyExc_ValueError, "leaves_sum: the inputs changed while read");
            return NULL;
        }
    }

    double t = 0.0;
    for (Py_ssize_t r = 0; r < n_roots; r++) {
        Py_ssize_t at = roots[r];
        if (at < 0 || at >= n_nodes) {
            PyErr_SetString(PyExc_ValueError, "leaves_sum: a root outside the nodes");
            return NULL;
        }
        for (;;) {
            const NODE *node = &nodes[at];
            if (node->feature < 0) {
                t += node->value;
                break;
            }
            if (node->feature >= n_inputs) {
                PyErr_SetString(PyExc_IndexError, "leaves_sum: an input the list lacks");
                return NULL;
            }
            double v = inputs[node->feature];
            int left = v <= node->threshold || (node->missing_left && isnan(v));
            Py_ssize_t next = left ? node->left : node->right;
            if (next <= at || next >= n_nodes) {
                PyErr_SetString(PyExc_ValueError, "leaves_sum: a child outside the tree");
                return NULL;
            }
            at = next;
        }
    }
    return PyFloat_FromDouble(t);
}

static PyMethodDef methods[] = {
    {"leaves_sum", (PyCFunction)(void (*)(void))leaves_sum, METH_FASTCALL,
     "The sum of every tree's leaf for the inputs x."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "colony.risk._trees", "The fraud model's trees walked in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__trees(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) {
        return NULL;
    }
    /* Raised when the C and Python sides disagree on what this module offers. */
    if (PyModule_AddIntConstant(m, "VERSION", 1) < 0 ||
        PyModule_AddIntConstant(m, "NODE_BYTES", (long)sizeof(NODE)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
