target_compile_definitions(hc_test_ces PRIVATE HC_CES_DATA="${CMAKE_SOURCE_DIR}/tests/data/ces")
