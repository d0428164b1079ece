target_link_libraries(hc_test_crypto PRIVATE hc::json)
