/* The baseline for bench/kanban.sh: the smallest FastCGI responder (libfcgi), served
 * through the same nginx as the API, so a route's ratio to it is the cost of our code. */
#include <fcgi_stdio.h>

int main(void) {
    while (FCGI_Accept() >= 0)
        printf("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n{\"hello\":true}");
    return 0;
}
