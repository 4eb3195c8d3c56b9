/* The 3-D view's face filler (optiroll.scenes.kit._faces): one cairo fill per face, in C,
 * with the GIL released.
 *
 *     fill_faces(context, rows)
 *
 * ``context`` is a pycairo ``cairo.Context``; ``rows`` a C-contiguous float64 array of 11
 * numbers a face: r, g, b, x0, y0, x1, y1, x2, y2, x3, y3. Each face, in order, is
 *
 *     cairo_set_source_rgb(r, g, b); cairo_move_to(x0, y0);
 *     cairo_line_to(x1, y1); cairo_line_to(x2, y2); cairo_line_to(x3, y3); cairo_fill()
 *
 * the very calls, with the very doubles, of the Python loop it replaces
 * (``faces.fill_python``): the same pixels. In Python that loop spends about 1.2 us a
 * face on the calls themselves (2,368 faces a frame for the flagship); here none, and
 * since the GIL is released meanwhile, a helper thread computes the frame's contour and
 * trail geometry while this one fills the faces (``faces.fill_while``).
 *
 * The context must not be used from Python until the call returns; a cairo error is
 * raised as pycairo raises it (cairo.Error). Built by setup.py against the system's cairo
 * (the one pycairo links); without a compiler the build is skipped and faces.py fills the
 * faces in Python, pixel for pixel the same.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <cairo.h>
#include <string.h>
#ifndef _WIN32
#include <dlfcn.h>
#endif

/* pycairo's Context object (py3cairo.h, PycairoContext): the object header, then the
 * cairo_t. pycairo has kept this layout since its first Python 3 release. */
typedef struct {
    PyObject_HEAD
    cairo_t *ctx;
    PyObject *base;
} PycairoContext;

static PyObject *context_type = NULL; /* cairo.Context */
static PyObject *cairo_error = NULL;  /* cairo.Error, as pycairo raises */

static PyObject *fill_faces(PyObject *self, PyObject *args) {
    PyObject *context, *rows;
    if (!PyArg_ParseTuple(args, "OO:fill_faces", &context, &rows))
        return NULL;
    int is_context = PyObject_IsInstance(context, context_type);
    if (is_context < 0)
        return NULL;
    if (!is_context) {
        PyErr_Format(PyExc_TypeError, "fill_faces: context must be a cairo.Context, not %s",
                     Py_TYPE(context)->tp_name);
        return NULL;
    }
    Py_buffer buf;
    if (PyObject_GetBuffer(rows, &buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    if (buf.itemsize != sizeof(double) || buf.format == NULL || strcmp(buf.format, "d") != 0
        || buf.len % (11 * (Py_ssize_t)sizeof(double)) != 0) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError,
                        "fill_faces: rows must be C-contiguous float64, 11 numbers a face");
        return NULL;
    }
    cairo_t *cr = ((PycairoContext *)context)->ctx;
    const double *r = (const double *)buf.buf;
    Py_ssize_t n = buf.len / (11 * (Py_ssize_t)sizeof(double));
    cairo_status_t status;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++, r += 11) {
        cairo_set_source_rgb(cr, r[0], r[1], r[2]);
        cairo_move_to(cr, r[3], r[4]);
        cairo_line_to(cr, r[5], r[6]);
        cairo_line_to(cr, r[7], r[8]);
        cairo_line_to(cr, r[9], r[10]);
        cairo_fill(cr);
    }
    status = cairo_status(cr);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (status != CAIRO_STATUS_SUCCESS) {
        PyErr_SetString(cairo_error, cairo_status_to_string(status));
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *linked_cairo_version(PyObject *self, PyObject *ignored) {
    return PyUnicode_FromString(cairo_version_string());
}

/* same_cairo(path): whether the library at ``path`` (pycairo's own module, loaded) calls
 * the very cairo this module calls: its cairo_create resolves to ours. Two copies of
 * cairo in one process (a wheel's bundled copy beside the system's) must not share a
 * cairo_t. */
static PyObject *same_cairo(PyObject *self, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s:same_cairo", &path))
        return NULL;
#ifdef _WIN32
    Py_RETURN_FALSE;
#else
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL)
        Py_RETURN_FALSE;
    void *theirs = dlsym(handle, "cairo_create");
    dlclose(handle);
    return PyBool_FromLong(theirs != NULL && theirs == (void *)&cairo_create);
#endif
}

static PyMethodDef methods[] = {
    {"fill_faces", fill_faces, METH_VARARGS,
     "fill_faces(context, rows): fill each face of rows (r, g, b and four corners, 11 "
     "float64 a face) with cairo, in order, without the GIL."},
    {"cairo_version", linked_cairo_version, METH_NOARGS,
     "The version of the cairo library this module calls (pycairo's must be the same)."},
    {"same_cairo", same_cairo, METH_VARARGS,
     "same_cairo(path): whether the loaded library at path calls the cairo this module "
     "calls."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_faces",
    "The 3-D view's face filler: one cairo fill per face, in C (see surface3d.py).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__faces(void) {
    PyObject *cairo_module = PyImport_ImportModule("cairo");
    if (cairo_module == NULL)
        return NULL;
    context_type = PyObject_GetAttrString(cairo_module, "Context");
    cairo_error = PyObject_GetAttrString(cairo_module, "Error");
    Py_DECREF(cairo_module);
    if (context_type == NULL || cairo_error == NULL)
        return NULL;
    return PyModule_Create(&module);
}
