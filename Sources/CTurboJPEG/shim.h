// TurboJPEG API of libjpeg-turbo (Debian libturbojpeg0-dev). Unlike the classic libjpeg API it reports
// errors by return value (it does its setjmp/longjmp internally), which is what Swift callers need.
#include <turbojpeg.h>
