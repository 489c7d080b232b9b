# The WebSocket relay's unit test (make check): nginx-module/test/ws_frame_test feeds
# the RFC 6455 parser of ngx_http_mskanban_ws_frame.c whole, byte by byte and in random
# pieces. That file uses nginx's types and macros only, so the test compiles it against
# the headers of the nginx tree the module's build configured (nginx-build/, whose
# objs/ holds ngx_auto_config.h): it is built after the module. Included by the top
# Makefile.am after nginx-module/Makefile.inc.

EXTRA_DIST += nginx-module/ws.mk nginx-module/test/ws_frame_test.c

if BUILD_NGINX_MODULE
check_PROGRAMS += nginx-module/test/ws_frame_test
TESTS += nginx-module/test/ws_frame_test

NGINX_WS_TEST_TREE = $(builddir)/nginx-build
nginx_module_test_ws_frame_test_SOURCES = \
	nginx-module/test/ws_frame_test.c \
	nginx-module/ngx_http_mskanban_ws_frame.c
nginx_module_test_ws_frame_test_CPPFLAGS = \
	-I$(srcdir)/nginx-module \
	-I$(NGINX_WS_TEST_TREE)/objs \
	-I$(NGINX_WS_TEST_TREE)/src/core \
	-I$(NGINX_WS_TEST_TREE)/src/event \
	-I$(NGINX_WS_TEST_TREE)/src/event/modules \
	-I$(NGINX_WS_TEST_TREE)/src/os/unix
nginx_module_test_ws_frame_test_CFLAGS = -Wall -Wextra -Wno-unused-parameter

$(nginx_module_test_ws_frame_test_OBJECTS): $(NGINX_MODULE_SO)
endif
