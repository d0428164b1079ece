# The CCTV age vectors store some files zlib-compressed.
find_package(ZLIB REQUIRED)
target_link_libraries(hc_test_seal PRIVATE ZLIB::ZLIB)
